"""The test data of every kind of test: unit, integration and browser.

One set of factories, so a graduate or an invitation means the same thing in
every test and a change to a model is made once:

* ``people``         institutions, programmes, graduates, waves, invitations, e-mails;
* ``datasets``       whole institutions with answered surveys, for the reports;
* ``cohort_files``   the CSV and Excel cohort lists an institution uploads;
* ``survey_answers`` a graduate's answers, page by page, along a route.

Plausible answers and invitation statuses come from the demo app
(``demo.answers``): the demo and the tests share one generator. Helpers that
are not data (assertions, the independent indicator computation, the
browser's settings) are in ``tests/helpers``. No test module imports another.
"""
