"""The batch fast path must put exactly what Django's own SMTP backend would
put on the wire: same headers, same text and HTML, for any first name."""

import datetime
import email
import email.policy

import pytest

from surveys import services
from surveys.mail import MessageRenderer, build_message
from surveys.models import OutboundEmail

from .factories import make_graduate

pytestmark = pytest.mark.django_db

DIPLOMA = datetime.date(2025, 6, 15)
T1_DUE = datetime.date(2025, 9, 15)
NAMES = ["Jan", "Zoë", "Ann & <b>Co</b>", 'O\'Brien "Bo"', "Łukasz", "张伟"]
COMPARED_HEADERS = (
    "Subject",
    "From",
    "To",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Message-ID",
    "Auto-Submitted",
)


def parsed(data: bytes):
    message = email.message_from_bytes(data, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # Unfolded (RFC 5322): where a long header line breaks is not part of its value.
    return {h: " ".join(str(message[h]).split()) for h in COMPARED_HEADERS}, text, html


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("purpose", ["invitation", "reminder-1"])
def test_fast_path_bytes_match_djangos_message(institution, language, purpose):
    graduates = [
        make_graduate(institution, diploma_date=DIPLOMA, first_name=name, preferred_language=language)
        for name in NAMES
    ]
    services.plan(T1_DUE)
    renderer = MessageRenderer()
    rows = OutboundEmail.objects.filter(invitation__graduate__in=graduates).select_related(
        "invitation__wave", "invitation__graduate__institution", "invitation__graduate__programme"
    )
    fast_used = 0
    for row in rows:
        row.purpose = purpose
        invitation, graduate = row.invitation, row.invitation.graduate
        invitation.closes_on = T1_DUE + datetime.timedelta(days=42)
        names = (graduate.institution.name, graduate.programme.name)
        fast = renderer.render(row, invitation, graduate, *names)
        slow = build_message(row, invitation, graduate, *names).message().as_bytes(linesep="\r\n")
        assert fast is not None, "the fast path should serve these shapes"
        fast_used += 1
        assert parsed(fast) == parsed(slow), graduate.first_name
        headers, text, html = parsed(fast)
        assert graduate.first_name in text
        assert invitation.token in text and invitation.token in html
        assert headers["To"] == row.to_address
    assert fast_used == len(NAMES)


def test_a_shape_the_stdlib_would_encode_falls_back_to_the_normal_path(institution):
    long_programme = "Zeer lange opleidingsnaam " * 60  # a line of over 998 characters: quoted-printable
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    services.plan(T1_DUE)
    row = OutboundEmail.objects.select_related("invitation__wave").get(invitation__graduate=graduate)
    assert MessageRenderer().render(row, row.invitation, graduate, institution.name, long_programme) is None
