from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_cube_triggers(sender, using, **kwargs):
    """After every migrate: SQLite drops a table's triggers when Django rebuilds it
    for an ALTER, so the cube's triggers are put back (see ``reports.cube``)."""
    from django.db import connections

    from .cube.triggers import install_triggers

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"reports_cubedirty", "surveys_response", "surveys_invitation", "alumni_graduate"} <= tables:
        install_triggers(using=connection)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        post_migrate.connect(_reinstall_cube_triggers, sender=self, dispatch_uid="reports_cube_triggers")
