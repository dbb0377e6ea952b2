"""surveys.scheduling: when a wave is due, its window, reminders and closing.

Pure date logic, no database. Months are calendar months with the day clamped
to the end of the month (31 August + 3 months = 30 November).
"""

import calendar
import datetime

import pytest

from surveys import scheduling

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# The default waves (migration 0002): T1 = 3 months, window 90 days; T3 = 36 months, window 180 days.
T1_MONTHS, T1_WINDOW = 3, 90
T3_MONTHS, T3_WINDOW = 36, 180


# --- add_months / due_on ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 6, 28), 3, D(2024, 9, 28)),  # the ordinary case
        (D(2025, 8, 31), 3, D(2025, 11, 30)),  # 31 Aug + 3 = 30 Nov (clamped)
        (D(2025, 5, 31), 3, D(2025, 8, 31)),  # 31 May + 3 = 31 Aug (no clamp needed)
        (D(2025, 11, 30), 3, D(2026, 2, 28)),  # into a common-year February
        (D(2023, 11, 30), 3, D(2024, 2, 29)),  # into a leap-year February
        (D(2023, 11, 29), 3, D(2024, 2, 29)),
        (D(2025, 11, 29), 3, D(2026, 2, 28)),
        (D(2025, 10, 31), 3, D(2026, 1, 31)),  # across the year end
        (D(2025, 12, 31), 3, D(2026, 3, 31)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2024, 2, 29), 36, D(2027, 2, 28)),  # leap day + 3 years: no 29 Feb in 2027
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # + 4 years: a leap year again
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 2, 28), 36, D(2028, 2, 28)),  # 28 Feb stays 28 Feb, even into a leap year
        (D(2023, 8, 31), 36, D(2026, 8, 31)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 7, 1), 0, D(2025, 7, 1)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),  # backwards too (used for SQL bounds)
        (D(2026, 1, 15), -3, D(2025, 10, 15)),
        (D(2027, 2, 28), -36, D(2024, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert scheduling.add_months(start, months) == expected


def test_add_months_every_day_of_a_leap_and_a_common_year():
    """For every start day and 1..40 months: the right month, and the same day
    of the month unless that month is shorter, then its last day."""
    day = D(2023, 1, 1)
    while day <= D(2024, 12, 31):
        for months in range(41):
            result = scheduling.add_months(day, months)
            assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
            last = calendar.monthrange(result.year, result.month)[1]
            assert result.day == min(day.day, last)
        day += ONE_DAY


def test_due_on_is_the_diploma_date_plus_the_waves_months():
    assert scheduling.due_on(D(2025, 8, 31), T1_MONTHS) == D(2025, 11, 30)
    assert scheduling.due_on(D(2024, 2, 29), T3_MONTHS) == D(2027, 2, 28)
    assert scheduling.due_on(D(2024, 7, 5), T3_MONTHS) == D(2027, 7, 5)


# --- window / classify ------------------------------------------------------------------


def test_window_ends_on_is_inclusive_last_day():
    assert scheduling.window_ends_on(D(2025, 11, 30), 90) == D(2026, 2, 28)
    assert scheduling.window_ends_on(D(2027, 2, 28), 180) == D(2027, 8, 27)
    assert scheduling.window_ends_on(D(2025, 1, 1), 0) == D(2025, 1, 1)


@pytest.mark.parametrize(
    ("diploma", "months", "window"),
    [
        (D(2025, 8, 31), T1_MONTHS, T1_WINDOW),  # clamped due date
        (D(2025, 6, 27), T1_MONTHS, T1_WINDOW),
        (D(2023, 11, 30), T1_MONTHS, T1_WINDOW),  # due on a leap day
        (D(2024, 2, 29), T3_MONTHS, T3_WINDOW),  # leap-day diploma at T3
        (D(2022, 7, 1), T3_MONTHS, T3_WINDOW),
        (D(2025, 1, 10), T1_MONTHS, 0),  # a zero-day window: only the due day itself
    ],
)
def test_classify_at_every_edge(diploma, months, window):
    due = scheduling.due_on(diploma, months)
    last = due + datetime.timedelta(days=window)
    assert scheduling.classify(diploma, due - ONE_DAY, months, window) == "not_yet"
    assert scheduling.classify(diploma, due, months, window) == "due"
    assert scheduling.classify(diploma, last, months, window) == "due"  # last day inside
    assert scheduling.classify(diploma, last + ONE_DAY, months, window) == "past_window"  # first day outside
    assert scheduling.classify(diploma, last + datetime.timedelta(days=400), months, window) == "past_window"


def test_classify_leap_day_diploma_at_t3_is_due_on_28_february():
    assert scheduling.classify(D(2024, 2, 29), D(2027, 2, 27), T3_MONTHS, T3_WINDOW) == "not_yet"
    assert scheduling.classify(D(2024, 2, 29), D(2027, 2, 28), T3_MONTHS, T3_WINDOW) == "due"
    assert scheduling.classify(D(2024, 2, 29), D(2027, 8, 27), T3_MONTHS, T3_WINDOW) == "due"
    assert scheduling.classify(D(2024, 2, 29), D(2027, 8, 28), T3_MONTHS, T3_WINDOW) == "past_window"


def test_classify_31_august_at_t1():
    assert scheduling.classify(D(2025, 8, 31), D(2025, 11, 29), T1_MONTHS, T1_WINDOW) == "not_yet"
    assert scheduling.classify(D(2025, 8, 31), D(2025, 11, 30), T1_MONTHS, T1_WINDOW) == "due"
    assert scheduling.classify(D(2025, 8, 31), D(2026, 2, 28), T1_MONTHS, T1_WINDOW) == "due"
    assert scheduling.classify(D(2025, 8, 31), D(2026, 3, 1), T1_MONTHS, T1_WINDOW) == "past_window"


# --- the coarse SQL bound -------------------------------------------------------------------


@pytest.mark.parametrize(("months", "window"), [(T1_MONTHS, T1_WINDOW), (T3_MONTHS, T3_WINDOW), (1, 0)])
def test_the_sql_bound_never_excludes_a_graduate_classify_would_invite(months, window):
    """latest_diploma_for is a pre-filter: every diploma date that classify()
    calls "due" on a day lies below it, including the month-end and leap-day
    dates where clamping moves the due date."""
    for today in (
        D(2026, 2, 28),
        D(2027, 2, 28),
        D(2028, 2, 29),
        D(2026, 11, 30),
        D(2026, 3, 1),
        D(2026, 7, 31),
    ):
        latest = scheduling.latest_diploma_for(today, months)
        diploma = today - datetime.timedelta(days=31 * months + window + 40)
        while diploma <= today:
            if scheduling.classify(diploma, today, months, window) == "due":
                assert diploma <= latest, (today, diploma)
            diploma += ONE_DAY


def test_latest_diploma_for_covers_a_clamped_due_date():
    # 31 Aug is due on 30 Nov: on 30 Nov the bound must still reach 31 Aug.
    assert scheduling.latest_diploma_for(D(2025, 11, 30), T1_MONTHS) >= D(2025, 8, 31)
    # 29 Feb 2024 is due on 28 Feb 2027 at T3.
    assert scheduling.latest_diploma_for(D(2027, 2, 28), T3_MONTHS) >= D(2024, 2, 29)


# --- closing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "days", "expected"),
    [
        (D(2025, 9, 1), 42, D(2025, 10, 13)),
        (D(2025, 12, 1), 42, D(2026, 1, 12)),  # across the year end
        (D(2024, 2, 1), 42, D(2024, 3, 14)),  # through a leap-year February
        (D(2025, 2, 1), 42, D(2025, 3, 15)),
        (D(2025, 9, 1), 0, D(2025, 9, 1)),
    ],
)
def test_closes_on(sent, days, expected):
    assert scheduling.closes_on(sent, days) == expected


# --- reminders_due -------------------------------------------------------------------------------------

SENT = D(2025, 10, 1)
CLOSES = scheduling.closes_on(SENT, 42)


def _on(day_offset: int) -> datetime.date:
    return SENT + datetime.timedelta(days=day_offset)


@pytest.mark.parametrize(
    ("offset", "already_sent", "expected"),
    [
        (0, 0, []),
        (6, 0, []),  # the day before the first reminder
        (7, 0, [1]),  # exactly 7 days after the invitation
        (8, 0, [1]),  # a missed day: still due
        (7, 1, []),  # already sent
        (13, 1, []),
        (14, 1, [2]),
        (14, 0, [1, 2]),  # both overdue; the caller sends only the latest
        (14, 2, []),
        (30, 2, []),
        (42, 1, [2]),  # the last open day
        (43, 1, []),  # closed: nothing, even though one is overdue
        (43, 0, []),
        (100, 0, []),
    ],
)
def test_reminders_due_edges(offset, already_sent, expected):
    assert scheduling.reminders_due(SENT, _on(offset), [7, 14], already_sent, CLOSES) == expected


def test_reminders_due_sorts_the_configured_days():
    assert scheduling.reminders_due(SENT, _on(10), [14, 7], 0, CLOSES) == [1]
    assert scheduling.reminders_due(SENT, _on(14), [14, 7], 1, CLOSES) == [2]


def test_reminders_due_with_no_or_one_reminder_configured():
    assert scheduling.reminders_due(SENT, _on(30), [], 0, CLOSES) == []
    assert scheduling.reminders_due(SENT, _on(20), [20], 0, CLOSES) == [1]
    assert scheduling.reminders_due(SENT, _on(19), [20], 0, CLOSES) == []


def test_reminders_due_on_the_closing_day_itself_but_not_a_reminder_after_it():
    closes = scheduling.closes_on(SENT, 10)
    assert scheduling.reminders_due(SENT, closes, [7, 14], 0, closes) == [1]
    # The second reminder would fall after the link closed: never due.
    for offset in range(0, 60):
        assert 2 not in scheduling.reminders_due(SENT, _on(offset), [7, 14], 1, closes)
