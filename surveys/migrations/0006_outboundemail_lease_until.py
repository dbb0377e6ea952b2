"""Claims get a lease (surveys.sending): a row a worker stopped renewing goes
back to the queue when its lease ends. Rows claimed before this migration
keep the 15 minutes the old stale-claim rule gave them."""

import datetime

from django.db import migrations, models
from django.db.models import F


def lease_existing_claims(apps, schema_editor):
    OutboundEmail = apps.get_model("surveys", "OutboundEmail")
    OutboundEmail.objects.filter(state="sending").update(
        lease_until=F("claimed_at") + datetime.timedelta(minutes=15)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_response_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="lease_until",
            field=models.DateTimeField(
                blank=True, help_text="A claim the sending worker stopped renewing ends here.", null=True
            ),
        ),
        migrations.RunPython(lease_existing_claims, migrations.RunPython.noop),
    ]
