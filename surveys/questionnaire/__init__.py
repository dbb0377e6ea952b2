"""The graduate questionnaire (T1 and T3): its content, routing and columns.

Import the package, not its modules: ``from surveys import questionnaire as
ins`` and then ``ins.PAGES``, ``ins.route(answers)``, ``ins.settle(...)``.
The names below are the public API; the modules behind them are

* ``choices``    the stored answer codes (imported by ``surveys.models``),
* ``schema``     the types: Question, Item, Page, Answers, the question kinds,
* ``content``    the reviewed wording (nl/en), options, ITEMS and PAGES,
* ``conditions`` who is asked what: pure predicates on the answers,
* ``routing``    the route through the pages (next, previous, progress),
* ``columns``    answers to ``Response`` columns and back,
* ``forms``      one crispy form per page, ``texts`` the words around them.

``forms`` and ``texts`` are not re-exported: they need Django's form
machinery, and ``surveys.models`` imports this package at model-loading time.
"""

from .columns import (
    DERIVED_COLUMNS,
    all_columns,
    all_questions,
    apply,
    columns_from_cleaned,
    derived_columns,
    off_route_columns,
    settle,
    value_for_form,
)
from .conditions import (
    activities,
    at_t1,
    at_t3,
    is_self_employed,
    is_studying,
    is_working,
    main_activity,
    not_working,
    several_activities,
)
from .content import ITEMS, PAGES, VERSION
from .routing import (
    FIRST_PAGE,
    LAST_PAGE,
    PAGE_BY_SLUG,
    has_started,
    next_page,
    previous_page,
    route,
    typical_answers,
)
from .schema import (
    EMAIL,
    LANGUAGES,
    LONGTEXT,
    MULTI,
    NUMBER,
    SCALE,
    SELECT,
    SINGLE,
    T1,
    T3,
    TEXT,
    YESNO,
    Answers,
    Item,
    Page,
    Question,
    Text,
    t,
    variant_of,
)

__all__ = [
    "DERIVED_COLUMNS",
    "EMAIL",
    "FIRST_PAGE",
    "ITEMS",
    "LANGUAGES",
    "LAST_PAGE",
    "LONGTEXT",
    "MULTI",
    "NUMBER",
    "PAGES",
    "PAGE_BY_SLUG",
    "SCALE",
    "SELECT",
    "SINGLE",
    "T1",
    "T3",
    "TEXT",
    "VERSION",
    "YESNO",
    "Answers",
    "Item",
    "Page",
    "Question",
    "Text",
    "activities",
    "all_columns",
    "all_questions",
    "apply",
    "at_t1",
    "at_t3",
    "columns_from_cleaned",
    "derived_columns",
    "has_started",
    "is_self_employed",
    "is_studying",
    "is_working",
    "main_activity",
    "next_page",
    "not_working",
    "off_route_columns",
    "previous_page",
    "route",
    "settle",
    "several_activities",
    "t",
    "typical_answers",
    "value_for_form",
    "variant_of",
]
