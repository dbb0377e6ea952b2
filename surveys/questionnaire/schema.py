"""The shapes the questionnaire is written in: questions, items, pages, answers.

Why a module of its own
-----------------------
The reviewed wording (``content``) is long and changes with every instrument
version; the few types it is written in do not. Keeping them here lets a
reader learn the vocabulary — a *question* writes typed columns, an *item* is
one numbered entry of ``shared/spec/questionnaire.md`` shown or not as a
whole, a *page* is one screen of items — without scrolling through 500 lines
of Dutch and English.

Every type is a frozen dataclass: the instrument is data, shared by every
request of a process, and must never be changed by one of them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .choices import Activity

LANGUAGES = ("nl", "en")
T1, T3 = "T1", "T3"  # the questionnaire's two variants: 3 months and 3 years after the diploma

Text = Mapping[str, str]  # {"nl": …, "en": …}


def t(nl: str, en: str) -> dict:
    """A text in both languages, Dutch first (the graduate's default)."""
    return {"nl": nl, "en": en}


def variant_of(wave) -> str:
    """T3 for a follow-up a year or more after the diploma, else T1."""
    return T3 if wave.months_after_diploma >= 12 else T1


# --- question kinds ------------------------------------------------------------
MULTI = "multi"  # checkboxes; one boolean column per option (prefix + code)
SINGLE = "single"  # radio buttons; a CharField column
SELECT = "select"  # a drop-down list; a CharField or foreign-key column
YESNO = "yesno"  # two radio buttons; a nullable BooleanField column
SCALE = "scale"  # radio buttons 1–5; a PositiveSmallIntegerField column
NUMBER = "number"  # a whole number with a range; a PositiveSmallIntegerField column
TEXT = "text"  # one line of free text, stored as given
LONGTEXT = "longtext"  # a few lines of free text, stored as given
EMAIL = "email"  # stored on the graduate (Graduate.private_email), not on the response


@dataclass(frozen=True)
class Question:
    name: str  # form field name, and the column for every kind but MULTI / EMAIL
    kind: str
    text: Text
    options: tuple[tuple[str, Text], ...] = ()
    help: Text | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 200
    required: bool = False
    exclusive: str | None = None  # MULTI: an option that cannot be combined ("none")
    column: str | None = None  # the column, when it differs from ``name`` (foreign keys)
    autocomplete: str = ""

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The Response columns this question writes (asked many times per request: kept)."""
        if self.kind == MULTI:
            return tuple(f"{self.name}_{code}" for code, _text in self.options)
        if self.kind == EMAIL:
            return ()
        return (self.column or self.name,)

    def empty(self):
        """The stored value of "not answered" (and of "not on the route")."""
        if self.kind == MULTI:
            return False
        if self.kind in (YESNO, SCALE, NUMBER) or self.column:
            return None
        return ""


_ACTIVITY_COLUMNS = tuple((code, f"activity_{code}") for code in Activity.values)


@dataclass(frozen=True)
class Answers:
    """The answers so far (column -> value) and the wave's questionnaire variant."""

    values: Mapping[str, object] = field(default_factory=dict)
    variant: str = T1

    def get(self, column: str, default=None):
        value = self.values.get(column, default)
        return default if value is None else value

    @cached_property
    def ticked(self) -> frozenset[str]:
        """The activities ticked on the first page (item 1); routing asks this
        dozens of times per page, so it is worked out once per Answers."""
        return frozenset(code for code, column in _ACTIVITY_COLUMNS if self.values.get(column))


def always(_answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Item:
    """One numbered item of questionnaire.md: shown or skipped as a whole.

    ``shown`` is a pure function of the answers to *earlier* pages
    (``conditions``), so the route up to a page is known when it is drawn."""

    number: int  # as in questionnaire.md
    key: str
    questions: tuple[Question, ...]
    shown: Callable[[Answers], bool] = always
    lead: Text | None = None  # a legend over several questions


@dataclass(frozen=True)
class Page:
    """One screen: a topic of one or more items; shown when any of them is."""

    slug: str  # in the URL; stable
    title: Text
    items: tuple[Item, ...]

    def shown(self, a: Answers) -> bool:
        return any(item.shown(a) for item in self.items)

    def items_shown(self, a: Answers) -> list[Item]:
        return [item for item in self.items if item.shown(a)]

    @property
    def questions(self) -> list[Question]:
        return [q for item in self.items for q in item.questions]
