import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0008_readiness_templates")]

    operations = [
        migrations.AddField(
            model_name="emailrecord",
            name="planned_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
