"""Sending over real SMTP (tests.smtp_sink, an aiosmtpd server on 127.0.0.1).

The sink answers a scripted recipient with the given replies, in order, before
it accepts; what is left of the script afterwards shows how many times the
address was tried.
"""

import datetime

import pytest
from django.test import override_settings

from surveys import planning, sending
from surveys.mail import opt_out_url
from surveys.models import Invitation, OutboundEmail
from tests.factories.people import emails_of, invitation_of, make_graduate
from tests.smtp_sink import SmtpSink, _free_port

pytestmark = pytest.mark.django_db

DIPLOMA = datetime.date(2025, 6, 15)
T1_DUE = datetime.date(2025, 9, 15)
T3_DUE = datetime.date(2028, 6, 15)
TEMPORARY = "451 4.7.1 Try again later"
PERMANENT = "550 5.1.1 No such user here"
S = Invitation.Status
Q = OutboundEmail.State


@pytest.fixture
def sink():
    with (
        SmtpSink() as server,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
            SURVEYS_RETRY_BASE_SECONDS=0,
        ),
    ):
        yield server


def script(sink, address: str, *replies: str) -> list:
    sink.handler.scripted[address.lower()] = list(replies)
    return sink.handler.scripted[address.lower()]


def rounds(n: int = 5) -> list[sending.SendResult]:
    return [sending.send_queued(100) for _ in range(n)]


def test_451_then_accept_arrives_exactly_once(sink, institution):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    left = script(sink, graduate.private_email, TEMPORARY)
    planning.plan(T1_DUE)

    first = sending.send_queued(100)
    assert (first.sent, first.retried) == (0, 1)
    assert sink.handler.recipients() == []
    row = emails_of(graduate).get()
    assert (row.state, row.attempts) == (Q.QUEUED, 1)
    assert row.last_error.startswith("recipient refused")
    assert invitation_of(graduate, "T1").status == S.PENDING

    results = rounds()
    planning.plan(T1_DUE)
    results += rounds()

    assert sum(r.sent for r in results) == 1
    assert left == []
    assert sink.handler.recipients() == [graduate.private_email.lower()]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Q.SENT, 2)
    assert invitation_of(graduate, "T1").status == S.SENT


def test_the_message_on_the_wire_has_both_parts_and_the_unsubscribe_headers(sink, institution):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    planning.plan(T1_DUE)
    assert sending.send_queued(100).sent == 1
    ((rcpts, message),) = sink.handler.messages
    assert rcpts == [graduate.private_email]  # T1 too goes to the private address
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]
    token = invitation_of(graduate, "T1").token
    unfolded = " ".join(message["List-Unsubscribe"].split())  # a long header may be folded
    assert unfolded == f"<{opt_out_url(token)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_550_bounces_after_one_attempt_and_is_never_tried_again(sink, institution):
    bad = make_graduate(institution, diploma_date=DIPLOMA, private_email="")  # no other address to try
    good = make_graduate(institution, diploma_date=DIPLOMA)
    left = script(sink, bad.email, *[PERMANENT] * 5)
    planning.plan(T1_DUE)

    result = sending.send_queued(100)

    assert (result.bounced, result.sent, result.retried) == (1, 1, 0)
    assert len(left) == 4  # exactly one RCPT for the bad address
    invitation = invitation_of(bad, "T1")
    assert invitation.status == S.BOUNCED
    row = emails_of(bad).get()
    assert (row.state, row.attempts) == (Q.FAILED, 1)
    assert "550" in row.last_error

    for offset in (0, 1, 7, 14, 20):
        planning.plan(T1_DUE + datetime.timedelta(days=offset))
        rounds(3)

    assert len(left) == 4  # no retry storm, no reminders
    assert emails_of(bad).count() == 1
    assert invitation_of(bad, "T1").status == S.BOUNCED
    # The good graduate, after the bad one in the same batch: invitation and two reminders.
    assert sink.handler.recipients() == [good.private_email.lower()] * 3


@pytest.mark.parametrize("code, due", [("T1", T1_DUE), ("T3", T3_DUE)])
def test_550_on_the_private_address_tries_the_school_address_once(sink, institution, code, due):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    left = script(sink, graduate.private_email, *[PERMANENT] * 5)
    planning.plan(due)

    results = rounds()

    assert sum(r.bounced for r in results) == 1
    assert sum(r.sent for r in results) == 1
    assert len(left) == 4
    assert sink.handler.recipients() == [graduate.email.lower()]
    assert invitation_of(graduate, code).status == S.SENT
    alt = emails_of(graduate).get(purpose="invitation-alt")
    assert (alt.to_address, alt.state, alt.attempts) == (graduate.email, Q.SENT, 1)

    planning.plan(due + datetime.timedelta(days=7))
    rounds()
    assert len(left) == 4
    assert sink.handler.recipients() == [graduate.email.lower()] * 2  # the reminder too


@pytest.mark.parametrize("code, due", [("T1", T1_DUE), ("T3", T3_DUE)])
def test_550_on_both_addresses_bounces_after_one_attempt_each(sink, institution, code, due):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    left_private = script(sink, graduate.private_email, *[PERMANENT] * 3)
    left_school = script(sink, graduate.email, *[PERMANENT] * 3)
    planning.plan(due)

    results = rounds()
    for offset in (1, 7, 14):
        planning.plan(due + datetime.timedelta(days=offset))
        results += rounds(2)

    assert sum(r.bounced for r in results) == 2
    assert (len(left_private), len(left_school)) == (2, 2)
    assert invitation_of(graduate, code).status == S.BOUNCED
    assert sink.handler.recipients() == []


def test_a_server_that_keeps_answering_451_is_given_up_after_the_maximum(sink, institution, settings):
    settings.SURVEYS_MAX_SEND_ATTEMPTS = 3
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    left = script(sink, graduate.private_email, *[TEMPORARY] * 10)
    planning.plan(T1_DUE)

    results = rounds(6)

    assert sum(r.retried for r in results) == 2
    assert sum(r.failed for r in results) == 1
    assert len(left) == 7
    row = emails_of(graduate).get()
    assert (row.state, row.attempts) == (Q.FAILED, 3)
    assert sink.handler.recipients() == []


def test_an_unreachable_server_is_a_temporary_failure(institution):
    graduate = make_graduate(institution, diploma_date=DIPLOMA)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_free_port(),  # nobody listens
        EMAIL_TIMEOUT=5,
        SURVEYS_RETRY_BASE_SECONDS=0,
    ):
        planning.plan(T1_DUE)
        result = sending.send_queued(100)
    assert (result.retried, result.bounced, result.sent) == (1, 0, 0)
    assert emails_of(graduate).get().state == Q.QUEUED
    assert invitation_of(graduate, "T1").status == S.PENDING
