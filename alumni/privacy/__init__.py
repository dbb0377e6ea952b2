"""A graduate's personal data under control: erasure, retention and the tombstones.

- :mod:`.erasure` — ``erase_graduate``: every personal field of one graduate
  gone in one transaction, the coded answers kept so report figures do not
  move, an audit entry with who, when and why.
- :mod:`.retention` — ``apply_retention``: contact data removed once the last
  wave (T3) is over, unless the graduate opted in to the alumni network;
  uploaded files deleted once processed. Run daily by the beat task
  ``alumni.tasks.apply_retention`` and by ``manage.py apply_retention``.
- :mod:`.tombstones` — keyed hashes that remember *that* a student number or
  a survey link was erased without remembering *which*: the import asks
  :func:`~.tombstones.erased_student_numbers` so a re-upload never brings an
  erased graduate back.

What the institution's privacy officer reads about all this: docs/privacy.md.
"""
