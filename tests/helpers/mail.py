"""Sending the outbox in tests: an SMTP server scripted in memory, and sending until nothing is left."""

import smtplib
from collections import Counter

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from surveys import sending


class ScriptedConnection(LocmemBackend):
    """An in-memory connection that answers an address with SMTP reply codes,
    in order, before accepting it (like tests.smtp_sink, without a socket)."""

    def __init__(self, replies: dict[str, list[int]], **kwargs):
        super().__init__(**kwargs)
        self.replies = replies
        self.tries = Counter()

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                self.tries[address] += 1
                codes = self.replies.get(address)
                if codes:
                    raise smtplib.SMTPRecipientsRefused({address: (codes.pop(0), b"scripted reply")})
        return super().send_messages(messages)


def send_all(connection=None) -> sending.SendResult:
    """Send until a round claims nothing (what the command and the beat do)."""
    total = sending.SendResult()
    for _ in range(50):
        batch = sending.send_queued(100, connection=connection)
        for name, value in batch.__dict__.items():
            setattr(total, name, getattr(total, name) + value)
        if not any(batch.__dict__.values()):
            return total
    raise AssertionError("send_queued kept finding work")
