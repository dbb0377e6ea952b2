from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Logins and role changes are recorded by receivers (audit.signals);
        # everything else calls audit.services.record where it happens.
        from . import signals

        signals.connect()
