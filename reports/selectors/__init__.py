"""Reads for the reports that run on the source tables (the report cube's reads are in ``reports.cube.read``).

Why one grouped query with a filtered ``COUNT`` per category rather than a
query per indicator (or a loop over graduates): the database reads the joined
response rows once and returns one small row per group. pandas only reshapes
the grouped rows that come back.

Every function takes a ``reports.filters.Filters`` and/or ``Scope`` (the
institutions the caller may see; ``reports.scoping`` decides those); none of
them checks permissions itself.

* :mod:`.live_counts`: counts the cube does not hold (T1 -> T3 flows, the
  raking cells of the optional weighting).
* :mod:`.monitoring`: response monitoring per programme per day.
* :mod:`.personal_data`: the alumni network list and the anonymised raw
  rows: personal or row-level data, so their callers log every use.
"""
