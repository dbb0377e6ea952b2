"""A graduate's answers: reading the link, saving a page, completing, language.

Why it is safe to click twice
-----------------------------
* There is one ``Response`` per invitation (a unique one-to-one key). The
  first save creates it (``INSERT … ON CONFLICT DO NOTHING``); a second tab
  that races it writes nothing and goes the locked way below.
* A save is decided on the answers read with the link and written only if
  the row is still as read: same ``revision``, not completed (optimistic,
  ``link_sql.save_page_row``: the row, the status move and item 20's e-mail
  in one statement on PostgreSQL). If another request changed it in between,
  nothing was written and the save is decided again under a lock
  (``SELECT … FOR UPDATE``; on SQLite the write transaction is already
  exclusive) on the row as it is now. So a double-clicked "Submit" completes
  once: the second request sees ``completed_at`` and changes nothing. A page
  posted after completion (the back button, a second tab) is not stored
  either.
* A page writes only its own columns (plus what its answers take off the
  route and the derived ones), so two tabs on different pages do not undo
  each other's answers.
* Invitation statuses move forward only, by conditional updates
  (opened → partial → completed), each with an ``InvitationEvent``.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from alumni.models import Graduate

from . import link_sql, services
from .models import Invitation, Response
from .questionnaire import instrument as ins

S = Invitation.Status
# An invitation in these statuses can still be answered. PENDING is included:
# a link is only known from its e-mail, and a mail handed to SMTP moments
# before its row was marked sent is still a mail the graduate has.
OPEN_STATUSES = (S.PENDING, *Invitation.ANSWERABLE)


class LinkState:
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CLOSED = "closed"
    OPTED_OUT = "opted_out"


# --- reads ---------------------------------------------------------------------------


def invitation_for_survey(token: str) -> Invitation | None:
    """The invitation behind a link with what every survey page needs (wave,
    graduate, institution, the answers so far) in one query: the ORM's
    ``select_related`` of these, without compiling it on every request
    (see ``link_sql``)."""
    return link_sql.invitation_by_token(token)


def response_of(invitation: Invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def link_state(invitation: Invitation, today: datetime.date | None = None) -> str:
    """What opening this link should show. Completed wins (the graduate sees
    the thank-you page even after the wave closed)."""
    today = today or timezone.localdate()
    response = response_of(invitation)
    if invitation.status == S.COMPLETED or (response and response.completed_at):
        return LinkState.COMPLETED
    if invitation.status == S.OPTED_OUT:
        return LinkState.OPTED_OUT
    if invitation.status == S.EXPIRED or (invitation.closes_on and invitation.closes_on < today):
        return LinkState.EXPIRED
    if not invitation.wave.is_active or invitation.status not in OPEN_STATUSES:
        return LinkState.CLOSED  # not_invited, bounced, or a wave switched off
    return LinkState.OPEN


def answers_of(invitation: Invitation, response: Response | None = None) -> ins.Answers:
    """The answers so far, as the instrument's routing reads them."""
    response = response if response is not None else response_of(invitation)
    variant = ins.variant_of(invitation.wave)
    if response is None:
        return ins.Answers({}, variant)
    columns = [*ins.all_columns(), *ins.DERIVED_COLUMNS]
    return ins.Answers({c: getattr(response, c) for c in columns}, variant)


def resume_page(invitation: Invitation) -> ins.Page:
    """Where the graduate continues: the page after the last one saved."""
    response = response_of(invitation)
    if response is None:
        return ins.FIRST_PAGE
    page = ins.PAGE_BY_SLUG.get(response.current_page, ins.FIRST_PAGE)
    answers = answers_of(invitation, response)
    if not ins.has_started(answers):
        return ins.FIRST_PAGE
    if page.shown(answers):
        return page
    return ins.next_page(page.slug, answers) or ins.LAST_PAGE


# --- writes --------------------------------------------------------------------------


def record_open(invitation: Invitation) -> None:
    """First visit: sent/reminded -> opened (services.record_open), skipped
    without a query when the invitation is past that already."""
    if invitation.status in (S.SENT, S.REMINDED):
        services.record_open(invitation)


def set_language(graduate: Graduate, language: str) -> None:
    """The graduate's choice of language, also for the mails that follow."""
    if language in ("nl", "en") and graduate.preferred_language != language:
        Graduate.objects.filter(pk=graduate.pk).update(preferred_language=language)
        graduate.preferred_language = language


@dataclass(frozen=True)
class Saved:
    next_page: str | None  # the page to show next; None when completed
    previous_page: str | None = None  # the page before this one on the (new) route
    completed: bool = False  # the response is complete (now or before)
    already_completed: bool = False  # it was complete before this request: nothing stored


def _locked_response(invitation: Invitation, page_slug: str, language: str) -> Response:
    """The invitation's response row, locked for this transaction; created on the first save."""
    response = next(iter(Response.objects.select_for_update().filter(invitation_id=invitation.pk)), None)
    if response is not None:
        return response
    try:
        with transaction.atomic():  # a savepoint: a racing tab may have created it
            return Response.objects.create(
                invitation=invitation,
                instrument_version=ins.VERSION,
                language=language,
                current_page=page_slug,
            )
    except IntegrityError:
        return Response.objects.select_for_update().get(invitation_id=invitation.pk)


# The status moves a save makes (link_sql.Advance).
_TO_PARTIAL = link_sql.Advance(S.PARTIAL, (S.PENDING, S.SENT, S.REMINDED, S.OPENED))


def _to_completed(now: datetime.datetime) -> link_sql.Advance:
    return link_sql.Advance(S.COMPLETED, OPEN_STATUSES, (("completed_at", now),))


def save_page(
    *,
    invitation: Invitation,
    page_slug: str,
    cleaned: dict,
    language: str,
    finish: bool = True,
    answers: ins.Answers | None = None,
) -> Saved:
    """Store the answers of one page and say which page comes next.

    ``cleaned`` is the page form's cleaned data. On the last page (and
    ``finish``) the response is completed in the same transaction. Answers
    posted after completion are ignored. ``answers``: ``answers_of(invitation)``
    if the caller has it already.

    Optimistic first: the answers were read with the link, so the save is
    decided on them and written conditionally — the first save as an
    ``INSERT … ON CONFLICT DO NOTHING``, later ones as an ``UPDATE`` on the
    revision that was read (``link_sql``). A page in the middle is then one
    statement, no lock and no second read. If the row was created or changed
    by another request in between (a second tab, a double click), nothing
    was written and the locked path decides again on the row as it is now.
    """
    page = ins.PAGE_BY_SLUG[page_slug]
    response = response_of(invitation)
    if response is not None and response.completed_at:
        return Saved(None, completed=True, already_completed=True)
    saved = _save_optimistic(invitation, response, page, cleaned, language, finish, answers)
    return saved if saved is not None else _save_locked(invitation, page, cleaned, language, finish)


def _change(invitation: Invitation, response: Response | None, page: ins.Page, cleaned: dict, before=None):
    """(answers before, columns to write, answers after, the page that follows)."""
    before = before if before is not None else answers_of(invitation, response)
    values = ins.settle(before, ins.columns_from_cleaned(page, before, cleaned))
    after = ins.apply(before, values)
    following = ins.next_page(page.slug, after)
    if not ins.has_started(after):
        following = ins.FIRST_PAGE
    return before, values, after, following


def _save_optimistic(
    invitation: Invitation,
    response: Response | None,
    page: ins.Page,
    cleaned: dict,
    language: str,
    finish: bool,
    answers: ins.Answers | None = None,
) -> Saved | None:
    """The save decided on the answers read with the link; None if the row
    changed since (nothing written then)."""
    before, values, after, following = _change(invitation, response, page, cleaned, answers)
    completing = following is None and finish
    now = timezone.now()
    columns = {
        **values,
        "current_page": (following or page).slug,
        "last_saved_page": page.slug,
        "language": language,
        "updated_at": now,
        **({"completed_at": now} if completing else {}),
    }
    moving_on = _TO_PARTIAL if invitation.status != S.PARTIAL else None
    advance = _to_completed(now) if completing else moving_on
    new = None
    if response is None:
        new = Response(invitation=invitation, instrument_version=ins.VERSION, started_at=now, **columns)
    written = link_sql.save_page_row(
        invitation,
        response,
        columns,
        new=new,
        advance=advance,
        private_email=_private_email_to_store(invitation.graduate, page, before, cleaned),
    )
    if not written:
        return None
    if completing:
        return Saved(None, completed=True)
    previous = ins.previous_page(page.slug, after)
    return Saved(columns["current_page"], previous.slug if previous else None)


def _save_locked(invitation: Invitation, page: ins.Page, cleaned: dict, language: str, finish: bool) -> Saved:
    """The save decided on the row as it is, under ``SELECT … FOR UPDATE``."""
    with transaction.atomic():
        response = _locked_response(invitation, page.slug, language)
        if response.completed_at:
            return Saved(None, completed=True, already_completed=True)
        before, values, after, following = _change(invitation, response, page, cleaned)
        for column, value in values.items():
            setattr(response, column, value)
        response.current_page = (following or page).slug
        response.last_saved_page = page.slug
        response.language = language
        response.revision += 1
        response.save(
            update_fields=[*values, "current_page", "last_saved_page", "language", "updated_at", "revision"]
        )
        if invitation.status != S.PARTIAL:
            link_sql.advance_invitation(invitation, _TO_PARTIAL)
        email = _private_email_to_store(invitation.graduate, page, before, cleaned)
        if email is not None:
            Graduate.objects.filter(pk=invitation.graduate_id).update(private_email=email)
            invitation.graduate.private_email = email
        if following is None and finish:
            _complete(invitation, response)
            return Saved(None, completed=True)
    previous = ins.previous_page(page.slug, after)
    return Saved(response.current_page, previous.slug if previous else None)


def _private_email_to_store(
    graduate: Graduate, page: ins.Page, answers: ins.Answers, cleaned: dict
) -> str | None:
    """Item 20: an address for the T3 invitation, kept only with consent;
    None if there is nothing (new) to store."""
    if ins.ITEMS[20] not in page.items or ins.ITEMS[20] not in page.items_shown(answers):
        return None
    email = (cleaned.get("private_email") or "").strip()
    if cleaned.get("recontact_consent") is True and email and email != graduate.private_email:
        return email
    return None


def _complete(invitation: Invitation, response: Response) -> None:
    now = timezone.now()
    response.completed_at = now
    response.revision += 1
    response.save(update_fields=["completed_at", "updated_at", "revision"])
    link_sql.advance_invitation(invitation, _to_completed(now))


def complete(invitation: Invitation) -> bool:
    """Complete the response (idempotent); True if this call completed it.
    The last page's save completes too; this is for callers without a page."""
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(invitation_id=invitation.pk).first()
        if response is None or response.completed_at or not ins.has_started(answers_of(invitation, response)):
            return False
        _complete(invitation, response)
        return True
