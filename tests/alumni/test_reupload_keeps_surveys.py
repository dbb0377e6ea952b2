"""Re-uploading a cohort never touches what the surveys hold (cohort-upload.md:
'invitations and answers already given are kept')."""

import datetime

from alumni.models import Graduate
from alumni.services import import_file
from surveys import planning, sending
from surveys.models import Invitation, OutboundEmail, Response
from surveys.scheduling import add_months
from tests.factories.cohort_files import graduate, make_csv


def test_reupload_with_a_corrected_address_keeps_invitation_token_and_answers(institution):
    diploma = add_months(datetime.date.today(), -3) - datetime.timedelta(days=1)
    rows = [graduate(1, diplomadatum=diploma.isoformat()), graduate(2, diplomadatum=diploma.isoformat())]
    import_file(institution=institution, data=make_csv(rows), file_name="cohort.csv")
    planning.plan()
    sending.send_queued(100)
    first = Graduate.objects.get(institution=institution, student_number=rows[0]["studentnummer"])
    invitation = Invitation.objects.get(graduate=first)
    Response.objects.create(
        invitation=invitation, instrument_version="test", current_page="done", benefit="none"
    )
    token, status = invitation.token, invitation.status

    rows[0]["email"] = "nieuw.adres@roc.example.nl"
    outcome = import_file(institution=institution, data=make_csv(rows), file_name="cohort.csv")

    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.unchanged) == (0, 1, 1)
    first.refresh_from_db()
    assert first.email == "nieuw.adres@roc.example.nl"
    invitation.refresh_from_db()
    assert (invitation.token, invitation.status) == (token, status)
    assert Response.objects.get(invitation=invitation).benefit == "none"
    assert OutboundEmail.objects.filter(invitation=invitation, state="sent").count() == 1
    assert Invitation.objects.filter(graduate__institution=institution).count() == 2
