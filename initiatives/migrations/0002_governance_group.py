from django.db import migrations

GOVERNANCE_GROUP = "governance"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=GOVERNANCE_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
