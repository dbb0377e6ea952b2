from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Fictional institutions, users, cohorts and answers for ``make run``.

    An app of its own so the domain apps never carry demo code: ``alumni``,
    ``surveys`` and ``reports`` do not import it; it uses their public
    services (the real cohort upload) like any other client."""

    name = "demo"
    verbose_name = "Demo data"
