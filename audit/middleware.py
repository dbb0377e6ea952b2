"""The request being handled, for audit receivers that are not handed one.

Model signals (``post_save`` of a membership, ``m2m_changed`` of its
programmes) carry no request, yet a role change is only useful in the log
with the person who made it and the address they came from. The Django
admin and every other view run inside this middleware, so a receiver can
ask :func:`current_request` for them. A context variable, not a thread
local: it is reset when the response leaves, also when the view raised.
Outside a request (a management command, the shell, a migration, a Celery
task) it is ``None`` and the entry is recorded without an actor.
"""

from contextvars import ContextVar

_current = ContextVar("audit_current_request", default=None)


def current_request():
    """The request this code runs for, or ``None`` outside one."""
    return _current.get()


class CurrentRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
