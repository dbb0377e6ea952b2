"""The report cube: pre-aggregated counts that are never stale.

Why: a report over a million responses is one pass over the joined rows with
a filtered count per indicator category, too slow to run for every page view
however the query is tuned (docs/benchmarks.md). The cube
(:class:`reports.cube.models.CubeCell`) holds the same counts per cell —
institution x programme x cohort x wave x pathway x location, the finest
grain any dashboard groups or filters by (level, sector, crebo and programme
group follow from the programme) — so a report adds up a few thousand cells
instead.

The guarantee
-------------
**A report never shows figures older than the data committed when it
started.** Not "refreshed nightly", not "at most a minute old":

1. Database triggers (:mod:`.triggers`) on ``surveys_response``,
   ``surveys_invitation`` and ``alumni_graduate`` record every change that can
   move a count as a dirty slice (cohort x programme x wave,
   :class:`~reports.cube.models.CubeDirty`), in the *same transaction* as the
   change. They fire for every writer: the ORM, ``QuerySet.update()``,
   ``bulk_create``, cascading deletes, raw SQL, a TRUNCATE (PostgreSQL; it
   marks the whole cube). A response counts only once completed, so saving
   the pages of an unfinished survey marks nothing.
2. Before reading, :func:`.refresh.ensure_cube_fresh` checks (a few small queries)
   that the triggers are in place, that the cube was built under today's
   definition (:func:`.definition.cube_definition`: the indicators'
   conditions, the SBI sections, occupation groups and regions, hashed) and
   that no slice is dirty. If anything is off it refreshes first: the dirty
   slices' cells are recounted from the source tables (:mod:`.recount`) and
   swapped in one transaction (a definition change, a TRUNCATE or most slices
   dirty rebuild everything).
3. Refreshes are serialised by locking the
   :class:`~reports.cube.models.CubeState` row (an UPDATE, so a row lock on
   PostgreSQL and the write lock on SQLite). A refresh consumes exactly the
   dirty marks it read *before* recounting; a change committed meanwhile
   leaves its own dirty row behind for the next refresh, so nothing is lost
   between the read and the delete.

Labels are not in the cube: it stores ids (programme, cohort, location, ...)
and a report joins the names, crebo codes, programme groups, levels and
sectors at read time (:mod:`.read`), so editing reference data needs no
refresh.

The beat task ``reports.tasks.refresh_cube`` runs the same refresh every
minute, so a viewer rarely pays for it. A full rebuild is one pass like a
live report; a slice costs in proportion to its responses (figures:
docs/benchmarks.md).

Not in the cube (still live queries, ``reports.selectors``): the optional
weighting (needs gender and age band per cell), the T1 -> T3 flows, response
monitoring by day.

Triggers and the SQLite table rebuild
-------------------------------------
Django alters SQLite tables by copying them, which drops their triggers. So
:func:`.triggers.install_triggers` runs after every ``migrate``
(``post_migrate``, ``reports.apps``) as well as in the migration, and the
freshness check counts the triggers: if any is missing it reinstalls them and
rebuilds the cube (changes made while they were missing were not recorded).

Modules, in the order a report uses them: :mod:`.definition` (what the
columns are), :mod:`.triggers` (marking dirty slices), :mod:`.recount`
(counts from the source tables), :mod:`.refresh` (the writes: recount dirty
slices, swap them in), :mod:`.read` (adding cells up for a report; reads the
cube as it is and never refreshes), :mod:`.models`.
"""
