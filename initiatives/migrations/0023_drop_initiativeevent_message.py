"""The stored sentence goes: every event's sentence is rendered from its kind and params
when read, and an old sentence that could not be parsed lives on as params {"text": ...}.
Its own migration, after the data one, so PostgreSQL alters the table in a transaction of
its own. Migrating back brings the column back (empty, hence the default given it first);
0022's reverse fills it from the params."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0022_initiativeevent_params_from_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="initiativeevent",
            name="message",
            field=models.CharField(blank=True, default="", max_length=500),
        ),
        migrations.RemoveField(model_name="initiativeevent", name="message"),
    ]
