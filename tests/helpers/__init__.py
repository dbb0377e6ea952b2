"""Shared test helpers that are not data: assertions on what the product
reports, the independent indicator computation the report tests compare
with, the browser's settings, waiting on subprocesses. Test data is in
``tests/factories``.
"""
