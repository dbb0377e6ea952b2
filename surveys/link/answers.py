"""A graduate's answers: what the link shows, where to continue, saving a page.

Why it is safe to click twice
-----------------------------
1. There is one ``Response`` per invitation (a unique one-to-one key). The
   first save creates it; a second tab that races it hits the unique key,
   writes nothing and goes the locked way (step 3).
2. A save is decided on the answers read with the link and written only if
   the row is still as read: ``UPDATE … WHERE revision = <read> AND
   completed_at IS NULL``. A page in the middle is that one statement.
3. If another request changed the row in between (a second tab, a double
   click), nothing was written and the save is decided again on the row as it
   is now, under ``SELECT … FOR UPDATE`` (on SQLite the write transaction is
   exclusive already). So a double-clicked "Submit" completes once: the
   second request sees ``completed_at`` and changes nothing; a page posted
   after completion (the back button, a second tab) is not stored either.
4. A page writes only its own columns (plus what its answers take off the
   route and the derived ones), so two tabs on different pages do not undo
   each other's answers.
5. The status moves (partial, completed) go through ``surveys.lifecycle``, in
   the same transaction as the row they follow from.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from alumni.models import Graduate

from .. import lifecycle
from .. import questionnaire as ins
from ..models import Invitation, Response

S = Invitation.Status


class LinkState:
    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CLOSED = "closed"
    OPTED_OUT = "opted_out"
    ERASED = "erased"  # the graduate's data was erased: the link leads nowhere any more


# --- reads ---------------------------------------------------------------------------


def response_of(invitation: Invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def link_state(invitation: Invitation, today: datetime.date | None = None) -> str:
    """What opening this link should show. Completed wins (the graduate sees
    the thank-you page even after the wave closed)."""
    today = today or timezone.localdate()
    # Erasure gives the invitation a new token, so an erased graduate's old
    # link finds no invitation at all (views: ``ErasedLink``); this covers an
    # invitation object read before the erasure committed.
    if "erased_at" in invitation.graduate.__dict__ and invitation.graduate.erased_at is not None:
        return LinkState.ERASED
    response = response_of(invitation)
    if invitation.status == S.COMPLETED or (response and response.completed_at):
        return LinkState.COMPLETED
    if invitation.status == S.OPTED_OUT:
        return LinkState.OPTED_OUT
    if invitation.status == S.EXPIRED or (invitation.closes_on and invitation.closes_on < today):
        return LinkState.EXPIRED
    if not invitation.wave.is_active or invitation.status not in Invitation.LINK_OPEN:
        return LinkState.CLOSED  # not_invited, bounced, or a wave switched off
    return LinkState.OPEN


def answers_of(invitation: Invitation, response: Response | None = None) -> ins.Answers:
    """The answers so far, as the questionnaire's routing reads them."""
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


def set_language(graduate: Graduate, language: str) -> None:
    """The graduate's choice of language, also for the mails that follow."""
    if language in ins.LANGUAGES and graduate.preferred_language != language:
        Graduate.objects.filter(pk=graduate.pk).update(preferred_language=language)
        graduate.preferred_language = language


@dataclass(frozen=True)
class Saved:
    next_page: str | None  # the page to show next; None when completed
    previous_page: str | None = None  # the page before this one on the (new) route
    completed: bool = False  # the response is complete (now or before)
    already_completed: bool = False  # it was complete before this request: nothing stored


@dataclass(frozen=True)
class _Change:
    """What saving a page on top of some answers writes, and where it leads."""

    before: ins.Answers
    cleaned: dict  # the page form's cleaned data
    values: dict  # the columns to write
    after: ins.Answers
    following: ins.Page | None  # the next page; None after the last one


def _change(invitation: Invitation, page: ins.Page, cleaned: dict, before: ins.Answers) -> _Change:
    values = ins.settle(before, ins.columns_from_cleaned(page, before, cleaned))
    after = ins.apply(before, values)
    following = ins.next_page(page.slug, after) if ins.has_started(after) else ins.FIRST_PAGE
    return _Change(before, cleaned, values, after, following)


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
    if the caller has it already. See the module docstring for the steps.
    """
    page = ins.PAGE_BY_SLUG[page_slug]
    response = response_of(invitation)
    if response is not None and response.completed_at:
        return Saved(None, completed=True, already_completed=True)
    change = _change(invitation, page, cleaned, answers or answers_of(invitation, response))
    # No savepoint: a save that is not written has written nothing to undo.
    with transaction.atomic(savepoint=False):
        written = _write_if_unchanged(invitation, response, page, change, language, finish)
    if not written:
        with transaction.atomic():
            return _save_locked(invitation, page, cleaned, language, finish)
    return _saved(page, change, finish)


def _saved(page: ins.Page, change: _Change, finish: bool) -> Saved:
    if change.following is None and finish:
        return Saved(None, completed=True)
    previous = ins.previous_page(page.slug, change.after)
    return Saved((change.following or page).slug, previous.slug if previous else None)


def _columns(page: ins.Page, change: _Change, language: str, now) -> dict:
    """The row's columns a save writes: the answers and where the graduate is."""
    return {
        **change.values,
        "current_page": (change.following or page).slug,
        "last_saved_page": page.slug,
        "language": language,
        "updated_at": now,
    }


def _write_if_unchanged(
    invitation: Invitation, response: Response | None, page, change: _Change, language: str, finish: bool
) -> bool:
    """Steps 1–2 (and 5): the save, if the row is as it was read; False, with
    nothing written, if another request got there first."""
    now = timezone.now()
    columns = _columns(page, change, language, now)
    completing = change.following is None and finish
    if completing:
        columns["completed_at"] = now
    if response is None:
        try:
            with transaction.atomic():  # a savepoint: a racing tab may have created the row
                Response.objects.create(
                    invitation=invitation, instrument_version=ins.VERSION, started_at=now, **columns
                )
        except IntegrityError:
            return False
    else:
        unchanged = Response.objects.filter(
            pk=response.pk, revision=response.revision, completed_at__isnull=True
        )
        if not unchanged.update(**columns, revision=F("revision") + 1):
            return False
    _after_write(invitation, page, change, completing, now)
    return True


def _after_write(invitation: Invitation, page, change: _Change, completing: bool, now) -> None:
    """What follows from a written save: the status move and item 20's address."""
    if completing:
        lifecycle.complete(invitation, now)
    else:
        lifecycle.start_answering(invitation)
    email = _private_email_to_store(invitation.graduate, page, change.before, change.cleaned)
    if email is not None:
        Graduate.objects.filter(pk=invitation.graduate_id).update(private_email=email)
        invitation.graduate.private_email = email


def _save_locked(invitation: Invitation, page: ins.Page, cleaned: dict, language: str, finish: bool) -> Saved:
    """Step 3: the save decided on the row as it is now, under a row lock."""
    response = _locked_response(invitation, page.slug, language)
    if response.completed_at:
        return Saved(None, completed=True, already_completed=True)
    change = _change(invitation, page, cleaned, answers_of(invitation, response))
    completing = change.following is None and finish
    now = timezone.now()
    columns = _columns(page, change, language, now)
    if completing:
        columns["completed_at"] = now
    Response.objects.filter(pk=response.pk).update(**columns, revision=F("revision") + 1)
    _after_write(invitation, page, change, completing, now)
    return _saved(page, change, finish)


def _locked_response(invitation: Invitation, page_slug: str, language: str) -> Response:
    """The invitation's response row, locked for this transaction; created on the first save."""
    response = Response.objects.select_for_update().filter(invitation_id=invitation.pk).first()
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


def complete(invitation: Invitation) -> bool:
    """Complete the response (idempotent); True if this call completed it.
    The last page's save completes too; this is for callers without a page."""
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(invitation_id=invitation.pk).first()
        if response is None or response.completed_at or not ins.has_started(answers_of(invitation, response)):
            return False
        now = timezone.now()
        Response.objects.filter(pk=response.pk).update(
            completed_at=now, updated_at=now, revision=F("revision") + 1
        )
        lifecycle.complete(invitation, now)
        return True
