"""Who is asked what: pure predicates on the answers so far.

Why a module of its own
-----------------------
Every item of ``content`` names one of these as its ``shown`` condition;
the route (``routing``), the forms and the cleanup of answers that left the
route (``columns``) all follow from them. Being pure functions of an
``Answers`` — no database, no request — they are unit-tested directly, and
a reviewer checks the questionnaire's skip logic on one screen.
"""

from .choices import PAID_WORK, SELF_EMPLOYED_ACTIVITIES, SELF_EMPLOYED_CONTRACTS, Activity
from .schema import T1, T3, Answers


def activities(a: Answers) -> frozenset[str]:
    """The activities ticked on the first page (item 1)."""
    return a.ticked


def several_activities(a: Answers) -> bool:
    return len(activities(a)) > 1


def is_working(a: Answers) -> bool:
    """Any paid work ticked. (Reports use the main activity; the questions about
    the job go to everyone with a paid job, also a student with a side job.)"""
    return bool(activities(a) & PAID_WORK)


def not_working(a: Answers) -> bool:
    return bool(activities(a)) and not is_working(a)


def is_studying(a: Answers) -> bool:
    return Activity.STUDYING in activities(a)


def is_self_employed(a: Answers) -> bool:
    """zzp or own business: ticked as an activity, or given as the contract."""
    return bool(activities(a) & SELF_EMPLOYED_ACTIVITIES) or a.get("contract") in SELF_EMPLOYED_CONTRACTS


def at_t1(a: Answers) -> bool:
    return a.variant == T1


def at_t3(a: Answers) -> bool:
    return a.variant == T3


def main_activity(a: Answers) -> str:
    """The main activity: the one asked on item 2, or the only one ticked."""
    ticked = activities(a)
    if len(ticked) == 1:
        return next(iter(ticked))
    chosen = a.get("main_activity", "")
    return chosen if chosen in ticked else ""
