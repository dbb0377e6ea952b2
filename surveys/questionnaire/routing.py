"""The route through the pages: which pages a graduate sees, in which order.

Why a module of its own
-----------------------
Views ask three things of the questionnaire on every request — which page
comes next, which came before, and how long the route is (the progress
indicator). All three are walks over ``content.PAGES`` with the items'
``shown`` conditions (``conditions``), pure functions of the answers so far,
so a graduate who changes an early answer simply gets a different route.
"""

from .choices import Activity
from .conditions import activities
from .content import PAGES
from .schema import Answers, Page

PAGE_BY_SLUG = {page.slug: page for page in PAGES}
FIRST_PAGE = PAGES[0]
LAST_PAGE = PAGES[-1]  # always shown (item 21 goes to everyone): its button submits
_ORDER = {page.slug: i for i, page in enumerate(PAGES)}


def route(a: Answers) -> list[Page]:
    """The pages this graduate sees, given the answers so far."""
    return [page for page in PAGES if page.shown(a)]


def next_page(slug: str, a: Answers) -> Page | None:
    """The first page after ``slug`` on the route (None after the last page).
    By position, so it works when ``slug`` itself just left the route."""
    return next((p for p in PAGES[_ORDER[slug] + 1 :] if p.shown(a)), None)


def previous_page(slug: str, a: Answers) -> Page | None:
    return next((p for p in reversed(PAGES[: _ORDER[slug]]) if p.shown(a)), None)


def typical_answers(variant: str) -> Answers:
    """An employee: the route the progress indicator assumes before item 1 is answered."""
    return Answers({f"activity_{Activity.EMPLOYEE}": True}, variant)


def has_started(a: Answers) -> bool:
    """The one required item (activities) is answered."""
    return bool(activities(a))
