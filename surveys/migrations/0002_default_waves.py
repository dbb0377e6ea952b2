"""The two waves of the study: T1 at 3 months and T3 at 3 years after the diploma."""

from django.db import migrations

from surveys.defaults import ensure_default_waves


def create_waves(apps, schema_editor):
    ensure_default_waves(apps.get_model("surveys", "Wave"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(create_waves, migrations.RunPython.noop)]
