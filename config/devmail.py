"""A local mailbox for ``make run``: the e-mails the platform 'sent' to
``var/mail`` (Django's file-based backend), readable in the browser so a
newcomer can click a survey link. Mounted only with ``DEV_MAILBOX`` (on in
config.settings.local only): it shows every survey link that went out."""

import email
import email.policy
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

SEPARATOR = "\n" + "-" * 79 + "\n"


def _messages(limit=200):
    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]:
        for index, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").split(SEPARATOR)):
            if not raw.strip():
                continue
            message = email.message_from_string(raw, policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            found.append(
                {
                    "id": f"{path.stem}-{index}",
                    "subject": message["Subject"],
                    "to": message["To"],
                    "date": message["Date"],
                    "unsubscribe": message["List-Unsubscribe"],
                    "text": body.get_content() if body else "",
                }
            )
    return found[:limit]


def mailbox(request):
    if not settings.DEV_MAILBOX:  # belt and braces: config/urls.py mounts it only then
        raise Http404
    return render(request, "devmail.html", {"messages_": _messages()})
