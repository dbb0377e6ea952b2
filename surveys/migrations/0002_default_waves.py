"""The two waves of the study: T1 at 3 months and T3 at 3 years after the diploma."""

from django.db import migrations

WAVES = [
    {"code": "T1", "name": "3 maanden na diploma", "months_after_diploma": 3, "invitation_window_days": 90},
    {"code": "T3", "name": "3 jaar na diploma", "months_after_diploma": 36, "invitation_window_days": 180},
]


def create_waves(apps, schema_editor):
    Wave = apps.get_model("surveys", "Wave")
    for wave in WAVES:
        Wave.objects.get_or_create(
            code=wave["code"],
            defaults={**wave, "reminder_days": [7, 14], "closing_days": 42, "send_rate_per_minute": 600},
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(create_waves, migrations.RunPython.noop)]
