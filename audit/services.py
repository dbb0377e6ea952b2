"""Writing the audit log: one function, called where the audited thing happens.

``record`` is called in the same transaction as the change it records (an
erasure and its entry commit together or not at all); for reads (a page or
an export of personal data) it is called when the data is handed out.

Who calls it: the report and upload views (exports, downloads, views of
personal data), the graduate pages, erasure and retention (their own
modules), and ``audit.signals`` for logins and role changes.

API keys do not exist yet (issue #16). When they do, every creation,
rotation and revocation of a key must call
``record(Action.API_KEY_CHANGE, "api_key_created" | "api_key_rotated" |
"api_key_revoked", request=..., target=<the key>, institution=...)`` in the
transaction that changes the key — the key's id and prefix in ``details``
at most, never the secret.
"""

from config.clientip import client_address

from .models import AuditEntry

Action = AuditEntry.Action


def record(
    action: str,
    what: str = "",
    *,
    request=None,
    user=None,
    target=None,
    institution=None,
    details: dict | None = None,
) -> AuditEntry:
    """Write one audit entry.

    ``user`` defaults to ``request.user``; ``target`` is a model instance (its
    label and pk are kept, nothing else); ``institution`` an Institution or
    its id; ``details`` counts, filters and the like — never names, e-mail
    addresses or answers.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        action=action,
        what=what,
        actor_id=user.pk if authenticated else None,
        actor=user.get_username() if authenticated else "",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        institution_id=getattr(institution, "pk", institution),
        ip=_ip(request),
        path=_path(request),
        details=details or {},
    )


def record_about(
    action: str, what: str, target, *, request=None, user=None, institution=None, **details
) -> AuditEntry:
    """``record`` for an entry about one object of one institution (a graduate,
    an upload, an invitation): the institution is the target's own
    (``target.institution_id``) unless given, and the other keyword arguments
    are the details."""
    if institution is None:
        institution = target.institution_id
    return record(
        action, what, request=request, user=user, target=target, institution=institution, details=details
    )


def _ip(request) -> str | None:
    return client_address(request) if request is not None else None


def _path(request) -> str:
    """The path without its query string: a search's ``?q=<name>`` would put a
    name into a log nobody can clean; filters belong in ``details``. Callers
    may pass a stand-in with only ``get_full_path`` (surveys.link.own_records
    hides the token that way)."""
    if request is None:
        return ""
    return request.get_full_path().split("?", 1)[0][:500]
