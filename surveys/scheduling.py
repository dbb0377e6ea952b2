"""When things are due: pure functions of dates, no database.

Months are calendar months with the day clamped to the month's end
(31 August + 3 months = 30 November), as people count them.
"""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(diploma_date: datetime.date, months_after: int) -> datetime.date:
    return add_months(diploma_date, months_after)


def window_ends_on(due: datetime.date, window_days: int) -> datetime.date:
    """The last day a graduate may still be invited (late uploads)."""
    return due + datetime.timedelta(days=window_days)


def latest_diploma_for(today: datetime.date, months_after: int) -> datetime.date:
    """An upper bound on the diploma dates that are due on ``today``: planning's
    SQL pre-filter (there is no lower one: a graduate past the window is still
    classified, once, as not invited); the exact test is :func:`classify`."""
    return add_months(today, -months_after) + datetime.timedelta(days=3)


def classify(diploma_date, today, months_after, window_days) -> str:
    """``"not_yet"``, ``"due"`` (invite now) or ``"past_window"`` (too late to invite)."""
    due = due_on(diploma_date, months_after)
    if today < due:
        return "not_yet"
    if today > window_ends_on(due, window_days):
        return "past_window"
    return "due"


def closes_on(sent_on: datetime.date, closing_days: int) -> datetime.date:
    """The last day the link may be answered."""
    return sent_on + datetime.timedelta(days=closing_days)


def reminders_due(sent_on, today, reminder_days, already_sent: int, closes: datetime.date) -> list[int]:
    """Numbers (1-based) of the reminders that should have gone out by ``today``
    but have not, and only while the wave is open."""
    if today > closes:
        return []
    return [
        number
        for number, days in enumerate(sorted(reminder_days), start=1)
        if number > already_sent and sent_on + datetime.timedelta(days=days) <= today
    ]
