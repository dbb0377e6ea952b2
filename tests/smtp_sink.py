"""A real SMTP server on 127.0.0.1 for tests and benchmarks (aiosmtpd).

It records every accepted message, and can be told to answer a recipient
with a temporary (451) or permanent (550) failure, or to be slow.
"""

import email
import logging
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class SinkHandler:
    messages: list = field(default_factory=list)  # (recipients, parsed message), if keep_bodies
    received: list = field(default_factory=list)  # recipients of every accepted message
    # address -> list of replies to give, in order, before accepting
    scripted: dict = field(default_factory=dict)
    delay: float = 0.0
    keep_bodies: bool = True
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            replies = self.scripted.get(address.lower())
            if replies:
                return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server loop on purpose: a slow provider
        with self.lock:
            self.count += 1
            self.received.append(list(envelope.rcpt_tos))
            if self.keep_bodies:  # parsing costs more than the rest: a load test goes without
                self.messages.append(
                    (
                        list(envelope.rcpt_tos),
                        email.message_from_bytes(envelope.original_content or envelope.content),
                    )
                )
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        with self.lock:
            return [rcpt.lower() for tos in self.received for rcpt in tos]


class SmtpSink:
    def __init__(self, port: int = 0, **handler_options):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
        self.handler = SinkHandler(**handler_options)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port or _free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
