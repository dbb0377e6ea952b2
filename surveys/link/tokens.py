"""The personal link's token: its shape in the URL, and the one read behind it.

The token is the graduate's only credential (no account, no cookie), so it is
handled in one place. The path converter accepts only what ``new_token``
could have made (URL-safe base64, 16–64 characters) on every route; anything
else never reaches the database. ``invitation_for_link`` is the one reader,
for the survey and the opt-out page alike: what either may show or change
depends on the same invitation, wave and answers.
"""

import re

from .. import questionnaire as ins
from ..models import Invitation, Response

SHAPE = "[A-Za-z0-9_-]{16,64}"
_TOKEN = re.compile(f"^{SHAPE}$")


class TokenConverter:
    """``<token:token>`` in a URL pattern: a token's shape, or no match."""

    regex = SHAPE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        if not _TOKEN.match(value):
            raise ValueError(f"not a survey token: {value!r}")
        return value


# What a survey page reads besides the answers: the link's own state, the
# wave's variant and schedule, the language and the address of item 20, and
# the institution's name on the page. None of the graduate's other personal
# data (least privilege): touching it costs a query of its own.
_FIELDS = (
    "token",
    "status",
    "closes_on",
    "graduate",
    "wave__code",
    "wave__months_after_diploma",
    "wave__is_active",
    "graduate__preferred_language",
    "graduate__private_email",
    "graduate__opted_out_at",
    "graduate__institution__brin",
    "graduate__institution__name",
)


def invitation_for_link(token: str) -> Invitation | None:
    """The invitation behind ``token`` with its wave, the graduate's institution
    and the answers so far (``response``, absent before the first save), in one
    query; None for an unknown token."""
    if not _TOKEN.match(token):
        return None
    answers = [f"response__{name}" for name in _response_fields()]
    found = (
        Invitation.objects.select_related("wave", "graduate__institution", "response")
        .only(*_FIELDS, *answers)
        .filter(token=token)
    )
    return next(iter(found), None)  # the token is unique: no ORDER BY or LIMIT needed


def _response_fields() -> list[str]:
    """Of the response, what a page reads: every answer, where the graduate
    is, and what a save checks (revision, completed); not the bookkeeping
    (timestamps, version) nor the columns reports derive."""
    wanted = {*ins.all_columns(), *ins.DERIVED_COLUMNS}
    state = {"id", "invitation", "current_page", "completed_at", "revision"}
    return [f.name for f in Response._meta.concrete_fields if f.attname in wanted or f.name in state]
