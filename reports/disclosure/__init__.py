"""Disclosure control and uncertainty for every aggregate the platform shows or exports.

This package is deliberately *pure*: plain numbers and pandas objects in, plain
numbers and pandas objects out, no database and no Django settings. The
aggregation queries produce count tables; this package decides what of them may
be shown. Keeping the rules in one place, free of I/O, means they can be tested
exhaustively and every dashboard, export and print view applies the same rules
(reporting spec, "Uncertainty and disclosure control").

The rules, and where they come from
-----------------------------------
* **Wilson 90% interval** for every share (QILT publishes 90% intervals). Wilson
  rather than the textbook normal interval because it stays inside [0, 1] and
  behaves sensibly for 0/n and n/n, which are common in small programmes.
* **Minimum group size** for shares and means: 10 in an institution's own
  views, 20 in cross-institution and regional views (ROA: 20 unweighted
  respondents). Below it a share is too unreliable to publish.
* **Never show a count of 1..4** (``min_count`` = 5). A count of **0 is shown**:
  it is the convention of HESA (whose rounding maps 0, 1, 2 to 0, so a zero is
  publishable) and CBS, and a table that hid every zero would be unreadable. The
  residual risk of a zero ("nobody in this programme is unemployed") is a group
  statement the spec accepts: it only forbids 1..4.
* **Rounding** to the nearest multiple of 5 in cross-institution views (HESA).
  The suppression below does not rely on it: it assumes the attacker sees
  exact, unrounded figures.
* **Published precision follows the counts**: shares and their intervals are
  whole percentages (:data:`.rules.SHARE_DECIMALS`), means one decimal. In
  cross-institution views they are computed from the *rounded* counts shown
  beside them (HESA computes them from unrounded counts, but then a share of
  0.127 beside a rounded 5 of 55 says the count is 7); the price is a share
  a few points off in small groups, well inside its interval.
* **Secondary suppression**: once a cell is hidden, enough others are hidden
  that it cannot be recomputed from the totals shown (see
  :func:`.protect.protect_table`).
* **Institution names** in cross-institution views only with consent; the others
  are pooled (see :func:`.institutions.pool_unconsented`), and so are their
  locations (vestigingen): a location's name names its institution.
* **A pool holds at least two institutions, in every row**: a pooled row
  (one programme of "Overige instellingen", say) with figures of only one
  institution is that institution under another name. Such a row is hidden
  whole (``protect_table(hide_rows=...)``, reason ``lone_pool``) rather than
  merged with a named institution for that row only, which would name an
  institution in one row and hide it in the next (``reports.tables``).

Typical use (the caller reads the thresholds from a Django setting, whatever
it ends up being called)::

    from reports.disclosure.institutions import pool_unconsented
    from reports.disclosure.protect import protect_table
    from reports.disclosure.rules import Thresholds

    thresholds = Thresholds.from_mapping(settings.DISCLOSURE_THRESHOLDS)
    rows = pool_unconsented(rows, consent_column="consent_to_be_named", values=["n"])
    counts = rows.pivot_table(index="institution", columns="activity", values="n",
                              aggfunc="sum", fill_value=0)   # empty cell = 0, not NaN
    shown = protect_table(counts, thresholds=thresholds, cross_institution=True)
    shown.counts, shown.shares, shown.ci_low, shown.ci_high   # NA / NaN = hidden
    shown.marks, shown.rules.as_dict()                        # for exports
    shown.to_long()                                           # one row per cell, for CSV

Limits the caller must know about
---------------------------------
* The median band (``reports.tables``) is of the unrounded counts; it names
  a band, not a number, and is shown only beside a row large enough for shares.
* Protection is **per table**. Two tables cut from the same data (programme ×
  activity and programme × gender, or "all cohorts" next to "cohort 2023") can
  be subtracted from each other; filters that let a user take such differences
  need the same care one level up (e.g. only offer whole, pooled cohorts).
* Hidden **zero** cells (only in rows below the minimum group size) are not
  protected: deriving that a hidden cell is 0 reveals no individual, and a 0 is
  shown everywhere else anyway.
* Publish :attr:`.protect.ProtectedTable.marks`, never the internal reasons: a cell
  marked "primary" is a cell with 1..4 people in it.
* Secondary suppression is a heuristic (optimal cell suppression is NP-hard).
  It guarantees that no hidden non-zero cell can be derived exactly, that a
  hidden count of 1..4 is never an end of the range an attacker can derive,
  and that the hidden cells of a row or column never add up to 1..4. It does
  not enforce a minimum *width* of that range: in random tests some hidden
  counts of 1..4 had a derivable upper bound below 5 (the attacker learns
  "small", not the number). It may also hide more than an optimal
  method would.
* A row below the minimum group size hides its counts, and protecting those
  usually costs cells in another row (column totals would otherwise give them
  away). Merging tiny programmes or pooling cohorts before calling this
  package shows more.

Modules
-------
* :mod:`.rules`: the thresholds, the rules of one view, the reasons a cell is
  hidden, rounding to a base, the published precision of shares and means.
* :mod:`.intervals`: Wilson score intervals.
* :mod:`.protect`: :func:`~.protect.protect_table` (primary and small-group
  suppression, rounding, shares) and :func:`~.protect.protect_mean`.
* :mod:`.secondary`: the secondary suppression search (which more cells to hide).
* :mod:`.attacker`: the attacker-model checks it relies on (can a hidden cell
  be recomputed, or its range end at its true value?).
* :mod:`.institutions`: pooling the institutions that did not consent to be named.

For career offices the same rules in plain words: ``docs/disclosure.md``.
"""
