"""From answers to ``surveys.Response`` columns, and back.

Why a module of its own
-----------------------
Every question writes typed columns on ``Response`` (``Question.columns``); a
multi-select writes one boolean per option, so reports group and count with
plain SQL. This module is the one place that maps a page's cleaned form data
to those columns and a stored row back to form values, and that decides what
else a save writes: answers that left the route are set back to "not
answered" (reports never count an answer to a question that did not apply)
and the derived columns are recomputed. All of it is pure, so the response
service only has to write the dict it gets.
"""

import re
from collections.abc import Mapping

from .conditions import main_activity
from .content import ITEMS
from .schema import EMAIL, MULTI, SCALE, YESNO, Answers, Page, Question

DERIVED_COLUMNS = ("main_activity", "workplace_postcode")


def all_questions() -> list[Question]:
    return [q for item in ITEMS.values() for q in item.questions]


def all_columns() -> list[str]:
    """Every Response column the instrument writes (besides the derived ones)."""
    return [c for q in all_questions() for c in q.columns]


def columns_from_cleaned(page: Page, a: Answers, cleaned: Mapping) -> dict:
    """Column values for the answers given on ``page`` (its routed items only).
    ``cleaned`` holds typed values: a list of codes for MULTI, bool for YESNO,
    int for SCALE/NUMBER, a str otherwise."""
    values: dict = {}
    for item in page.items_shown(a):
        for q in item.questions:
            if q.name not in cleaned or q.kind == EMAIL:
                continue
            value = cleaned[q.name]
            if q.kind == MULTI:
                chosen = set(value or ())
                values.update({f"{q.name}_{code}": code in chosen for code, _text in q.options})
            elif value in (None, ""):
                values[q.columns[0]] = q.empty()
            else:
                values[q.columns[0]] = value
    return values


def value_for_form(q: Question, a: Answers):
    """The stored answer as a form's initial value."""
    if q.kind == MULTI:
        return [code for code, _text in q.options if a.get(f"{q.name}_{code}")]
    value = a.get(q.columns[0]) if q.columns else None
    if value is None:
        return None
    if q.kind == YESNO:
        return "yes" if value else "no"
    if q.kind == SCALE:
        return str(value)
    return value


def off_route_columns(a: Answers) -> dict:
    """Columns of items this graduate no longer sees (an earlier answer changed),
    set back to "not answered", so reports never count an answer to a question
    that did not apply."""
    cleared = {}
    for item in ITEMS.values():
        if item.shown(a):
            continue
        for q in item.questions:
            for column in q.columns:
                if a.values.get(column) not in (None, "", False):
                    cleared[column] = q.empty()
    return cleared


_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*(?:[A-Za-z]{2})?\s*$")


def derived_columns(a: Answers) -> dict:
    """Columns computed from answers: the main activity when one activity was
    ticked (item 2 is then not asked), and the 4-digit postcode of the workplace
    when one was given (reports compare it with the institution's region)."""
    match = _POSTCODE.match(a.get("workplace", "") or "")
    return {"main_activity": main_activity(a), "workplace_postcode": match.group(1) if match else ""}


def apply(a: Answers, changes: Mapping) -> Answers:
    return Answers({**a.values, **changes}, a.variant)


def settle(a: Answers, changes: Mapping) -> dict:
    """Everything to write after a page: its answers, the columns that left the
    route because of them, and the derived columns. Pure."""
    after = apply(a, changes)
    cleared = off_route_columns(after)
    after = apply(after, cleared)
    return {**changes, **cleared, **derived_columns(after)}
