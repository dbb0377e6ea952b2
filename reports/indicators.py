"""The indicators of reporting.md, as data.

Every indicator is a list of **mutually exclusive categories**, each a
condition (a ``Q``) on ``surveys.Response`` columns. The indicator's
denominator is the union of its categories, so one row of counts adds up to
the denominator and can go straight into
``disclosure.protect.protect_table`` (which needs exhaustive, exclusive
columns to protect totals). Why data rather than code: the cube's recount
and the live reads turn the whole list into *one* grouped query with a
filtered ``COUNT`` per category (:func:`category_counts`), the exports and the dashboard label their
tables from the same list, and the tests read the definitions below next to
an independent pandas computation.

Definitions that reporting.md leaves open, decided here (and in the docs):

* Every table counts **completed responses** (and the reach and response
  tables count **invitations**, one per graduate and wave: a graduate invited
  for T1 and T3 counts twice when both waves are in the figures).
* *respondents* (the activity tables: main activity, working, studying,
  unemployed) = completed responses with a main activity. The other tables
  count everyone who answered their item, main activity given or not: the
  1-5 scales, benefits, choose-again, the reason for self-employment; the
  work tables need a main activity of paid work anyway.
* A skipped item is **not** in that item's denominator (HESA / QILT practice):
  "contract mix ÷ working" is over working respondents who answered item 6.
  The denominator is shown beside every share, so nothing is hidden by this.
* *working ≥ 12 h* and *full-time (≥ 35 h)*: respondents whose main activity
  is paid work and who gave their hours are yes or no; working respondents
  without hours are left out of these two denominators.
* *contract mix*: permanent · temporary (with or without prospect, BBL
  contract — a BBL contract is fixed-term for the training) · flexible
  (agency, on-call / zero-hours) · zzp (zzp, director-owner).
* *zzp share*: main activity zzp or own business ÷ working; *voluntary zzp*
  is the "my own choice" cell (and "out of necessity" the cell beside it) of
  the item-7 distribution, ÷ everyone who answered item 7.
* *unemployed* (ILO): main activity is not paid work, looked for work in the
  last 4 weeks **and** could start within 2 weeks.
* *benefits*: ÷ respondents who answered item 5 ("rather not say" is an
  answer and stays in the denominator as its own category).
* *working in the region*: ÷ working respondents with a 4-digit workplace
  postcode whose institution belongs to a region with postcode ranges
  (``reports.Region``); the region is the institution's, so the condition is
  built per call (:func:`region_indicator`).
* branch / occupation: the top 5 of the table + "other" (:data:`Indicator.top`).
* wage: median band among full-time workers who gave a band.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from surveys.questionnaire import choices as c

RESPONDENTS = _("respondents")
WORKING = _("working respondents")


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    when: Q


@dataclass(frozen=True)
class Indicator:
    """One table: rows are groups (programmes, ...), columns these categories.

    ``scale``: the categories are the answers 1..5 and a mean is shown.
    ``median``: the categories are ordered bands and the median band is shown.
    ``top``: keep the ``top`` largest categories of the table, add the rest up as "other".
    ``headline``: the category whose share is the headline figure (charts, summary).
    """

    key: str
    label: str
    base: str
    categories: tuple[Category, ...]
    headline: str | None = None
    scale: bool = False
    median: bool = False
    top: int | None = None
    chart: str = "bar"
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def keys(self) -> list[str]:
        return [category.key for category in self.categories]


def column_name(indicator_key: str, category_key: str) -> str:
    """A category's count, in every count frame and in the cube: ``indicator:category``."""
    return f"{indicator_key}:{category_key}"


def category_counts(indicators: Iterable[Indicator]) -> tuple[dict[str, Count], list[str]]:
    """One filtered ``COUNT`` per category of ``indicators`` (aliases ``c0``, ``c1``, ...),
    and the :func:`column_name` of each, in the same order."""
    aggregates, names = {}, []
    for indicator in indicators:
        for category in indicator.categories:
            aggregates[f"c{len(aggregates)}"] = Count("pk", filter=category.when)
            names.append(column_name(indicator.key, category.key))
    return aggregates, names


def _choices(column: str, choices, extra: Q | None = None, keys: Iterable[str] | None = None) -> tuple:
    keep = set(keys) if keys is not None else None
    out = []
    for value, label in choices.choices:
        if keep is not None and value not in keep:
            continue
        condition = Q(**{column: value})
        out.append(Category(value, label, condition & extra if extra is not None else condition))
    return tuple(out)


RESPONDED = ~Q(main_activity="")
IS_WORKING = Q(working=True)
NOT_WORKING = RESPONDED & Q(working=False)
SELF_EMPLOYED = Q(main_activity__in=sorted(c.SELF_EMPLOYED_ACTIVITIES))
UNEMPLOYED = NOT_WORKING & Q(looked_for_work=True, available_for_work=True)
STUDYING = Q(main_activity=c.Activity.STUDYING)
FULL_TIME = IS_WORKING & Q(works_full_time=True)


def _yes_no(yes: Q, no: Q, yes_label=None, no_label=None) -> tuple[Category, Category]:
    return (Category("yes", yes_label or _("yes"), yes), Category("no", no_label or _("no"), no))


def _scale(key: str, label) -> Indicator:
    return Indicator(
        key,
        label,
        _("respondents who answered"),
        tuple(Category(str(k), str(k), Q(**{key: k})) for k in range(1, 6)),
        scale=True,
        tags=("satisfaction",),
    )


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "activity",
        _("Main activity"),
        RESPONDENTS,
        _choices("main_activity", c.Activity),
        chart="stacked",
        tags=("activity",),
    ),
    Indicator(
        "working",
        _("Working (main activity is paid work)"),
        RESPONDENTS,
        _yes_no(IS_WORKING, NOT_WORKING),
        headline="yes",
        tags=("activity",),
    ),
    Indicator(
        "working_12h",
        _("Working 12 hours a week or more (CBS)"),
        _("respondents (working ones with hours given)"),
        _yes_no(IS_WORKING & Q(works_12h=True), NOT_WORKING | (IS_WORKING & Q(works_12h=False))),
        headline="yes",
        tags=("activity",),
    ),
    Indicator(
        "working_full_time",
        _("Working full-time, 35 hours or more (QILT)"),
        _("respondents (working ones with hours given)"),
        _yes_no(FULL_TIME, NOT_WORKING | (IS_WORKING & Q(works_full_time=False))),
        headline="yes",
        tags=("activity",),
    ),
    Indicator(
        "studying",
        _("Further study by level"),
        RESPONDENTS,
        (
            *_choices("study_level", c.StudyLevel, STUDYING, keys=["mbo", "ad", "hbo", "wo"]),
            Category("other", _("other or level not given"), STUDYING & Q(study_level__in=["other", ""])),
            Category("no", _("not studying"), RESPONDED & ~STUDYING),
        ),
        chart="stacked",
        tags=("activity",),
    ),
    Indicator(
        "benefit",
        _("Benefits by type"),
        _("respondents who answered"),
        _choices("benefit", c.Benefit),
        chart="stacked",
        tags=("activity",),
    ),
    Indicator(
        "any_benefit",
        _("Receives a benefit (any type)"),
        _("respondents who answered"),
        (
            Category("yes", _("yes"), Q(benefit__in=["ww", "bijstand", "disability", "other"])),
            Category("no", _("no"), Q(benefit="none")),
            Category("declined", _("rather not say"), Q(benefit="declined")),
        ),
        headline="yes",
        tags=("activity",),
    ),
    Indicator(
        "unemployed",
        _("Unemployed (ILO)"),
        RESPONDENTS,
        _yes_no(UNEMPLOYED, RESPONDED & ~UNEMPLOYED),
        headline="yes",
        tags=("activity",),
    ),
    Indicator(
        "unemployed_labour_force",
        _("Unemployed as a share of the labour force"),
        _("labour force (working + unemployed)"),
        (
            Category("unemployed", _("unemployed"), UNEMPLOYED),
            Category("working", _("working"), IS_WORKING),
        ),
        headline="unemployed",
        tags=("activity",),
    ),
    Indicator(
        "zzp",
        _("Self-employed (zzp or own business)"),
        WORKING,
        (
            Category("yes", _("self-employed"), IS_WORKING & SELF_EMPLOYED),
            Category("no", _("employed"), IS_WORKING & ~SELF_EMPLOYED),
        ),
        headline="yes",
        tags=("zzp",),
    ),
    Indicator(
        "zzp_reason",
        _("Why self-employed (voluntary zzp)"),
        _("self-employed who answered"),
        _choices("self_employment_reason", c.SelfEmploymentReason),
        headline="own_choice",
        chart="stacked",
        tags=("zzp",),
    ),
    Indicator(
        "contract_mix",
        _("Contract mix"),
        _("working respondents who answered"),
        (
            Category("permanent", _("permanent"), IS_WORKING & Q(contract="permanent")),
            Category(
                "temporary",
                _("temporary"),
                IS_WORKING & Q(contract__in=["temp_prospect", "temporary", "bbl"]),
            ),
            Category("flexible", _("flexible"), IS_WORKING & Q(contract__in=["agency", "on_call"])),
            Category("zzp", _("zzp / own business"), IS_WORKING & Q(contract__in=["zzp", "owner"])),
        ),
        chart="stacked",
        tags=("contract",),
    ),
    Indicator(
        "field_match",
        _("Field match (in own field)"),
        _("working respondents who answered"),
        _choices("field_match", c.FieldMatch, IS_WORKING),
        headline="own",
        chart="stacked",
        tags=("match",),
    ),
    Indicator(
        "level_match",
        _("Level match"),
        _("working respondents who answered"),
        _choices("level_match", c.LevelMatch, IS_WORKING),
        chart="stacked",
        tags=("match",),
    ),
    Indicator(
        "own_level_or_higher",
        _("At own level or higher"),
        _("working respondents who answered"),
        _yes_no(
            IS_WORKING & Q(level_match__in=["higher", "same"]),
            IS_WORKING & Q(level_match__in=["lower", "none"]),
        ),
        headline="yes",
        tags=("match",),
    ),
    Indicator(
        "diploma_needed",
        _("Diploma needed for the job"),
        _("working respondents who answered"),
        _choices("diploma_needed", c.DiplomaNeeded, IS_WORKING),
        chart="stacked",
        tags=("match",),
    ),
    Indicator(
        "job_route",
        _("Route to the job (internship company)"),
        _("working respondents who answered"),
        _choices("job_route", c.JobRoute, IS_WORKING),
        headline="internship",
        chart="stacked",
        tags=("match",),
    ),
    # Branch and occupation: categories are filled in from the reference tables
    # (see branch_indicator / occupation_indicator), top 5 + other.
    _scale("preparation", _("Preparation by the programme (1–5)")),
    _scale("meaningful", _("My activity is meaningful (1–5)")),
    _scale("fits_plans", _("On track: fits my future plans (1–5)")),
    _scale("uses_learning", _("I use what I learned (1–5)")),
    Indicator(
        "choose_again",
        _("Would choose the same programme again"),
        _("respondents who answered"),
        _choices("choose_again", c.ChooseAgain),
        headline="yes",
        chart="stacked",
        tags=("satisfaction",),
    ),
    Indicator(
        "wage_band",
        _("Gross monthly wage band (full-time workers)"),
        _("full-time workers who gave a band"),
        tuple(cat for cat in _choices("wage_band", c.WageBand, FULL_TIME) if cat.key != "declined"),
        median=True,
        tags=("wage",),
    ),
)


def _top_5_of_working(key: str, label, column: str, rows: Iterable[tuple[str, str]]) -> Indicator:
    """One category per reference row (code, title) on ``column``, ÷ working respondents who answered."""
    return Indicator(
        key,
        label,
        _("working respondents who answered"),
        tuple(Category(code, title, IS_WORKING & Q(**{column: code})) for code, title in rows),
        top=5,
        tags=("branch",),
    )


def branch_indicator(sections: Iterable[tuple[str, str]]) -> Indicator:
    """Branch (SBI section) ÷ working respondents who answered; top 5 + other."""
    return _top_5_of_working("branch", _("Branch (SBI section), top 5"), "branch_id", sections)


def occupation_indicator(groups: Iterable[tuple[str, str]]) -> Indicator:
    """Occupation (ISCO-08 major group) ÷ working respondents who answered; top 5 + other."""
    return _top_5_of_working(
        "occupation", _("Occupation (ISCO-08 major group), top 5"), "occupation_group_id", groups
    )


def region_indicator(regions: Iterable[tuple[Iterable[int], Iterable[tuple[str, str]]]]) -> Indicator:
    """Working in the institution's region ÷ working respondents with a workplace postcode.

    ``regions``: (institution ids, postcode ranges (low, high) as 4-digit
    strings) per region. Only respondents of an institution in some region
    count; an institution in two regions counts "in the region" for either.
    """
    in_region = Q(pk__in=[])
    has_region = Q(pk__in=[])
    for institutions, ranges in regions:
        ids = list(institutions)
        inside = Q(pk__in=[])
        for low, high in ranges:
            inside |= Q(workplace_postcode__gte=low, workplace_postcode__lte=high)
        in_region |= Q(invitation__graduate__institution_id__in=ids) & inside
        has_region |= Q(invitation__graduate__institution_id__in=ids)
    base = IS_WORKING & ~Q(workplace_postcode="") & has_region
    return Indicator(
        "region",
        _("Working in the institution's region"),
        _("working respondents with a workplace postcode"),
        _yes_no(base & in_region, base & ~in_region, _("in the region"), _("outside the region")),
        headline="yes",
        tags=("branch",),
    )


# T1 -> T3 transitions: main activities grouped, so the flow table stays readable.
ACTIVITY_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "employee": (_("employee"), ("employee", "agency", "bbl")),
    "self_employed": (_("self-employed"), ("zzp", "business")),
    "studying": (_("studying"), ("studying",)),
    "unemployed": (_("unemployed"), ("unemployed",)),
    "other": (_("other"), ("unpaid", "caring", "ill", "gap_year", "other")),
}
ACTIVITY_GROUP_OF = {code: group for group, (_label, codes) in ACTIVITY_GROUPS.items() for code in codes}


# --- Reach and response (conditions on surveys.Invitation, not on Response) --------

SENT = Q(sent_at__isnull=False) & ~Q(status="bounced")
COMPLETED = SENT & Q(response__completed_at__isnull=False)

RESPONSE_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "reach",
        _("Invited (sent, not bounced)"),
        _("invitations due for the wave (one per graduate and wave)"),
        (Category("yes", _("invited"), SENT), Category("no", _("not invited or bounced"), ~SENT)),
        headline="yes",
        tags=("response",),
    ),
    Indicator(
        "response",
        _("Response rate (completed ÷ invited)"),
        _("invitations sent and not bounced"),
        (
            Category("yes", _("completed"), COMPLETED),
            Category("no", _("not completed"), SENT & Q(response__completed_at__isnull=True)),
        ),
        headline="yes",
        tags=("response",),
    ),
)
