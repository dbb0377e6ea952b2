"""The institution admin's pages about individual graduates (issue 12, item 1):
the list with search and filters, a graduate's page, correcting e-mail
addresses and mailing an invitation again, the addresses to fix, erasure.

Reads in :mod:`.selectors`, writes in :mod:`.services` (status moves and the
outbox through ``surveys.lifecycle``), thin views in :mod:`.views`.
"""
