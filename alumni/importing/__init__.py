"""Reading, checking and storing cohort files (see ../../docs/cohort-upload.md).

The pipeline is three pure-ish steps, so each can be tested on its own:

    reading.read_table(bytes)      -> RawTable     (any CSV/XLSX -> strings + Excel row numbers)
    validation.validate(raw, ...)  -> CheckedTable (every problem, typed valid rows)
    writing.upsert(checked, ...)   -> counts        (one transaction, or nothing)
"""
