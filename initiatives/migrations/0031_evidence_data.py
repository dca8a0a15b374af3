"""The shipped cross-walk: NIST AI RMF 1.0 subcategories, ISO/IEC 42001:2023 Annex A controls,
and which milestones give evidence for which (`initiatives/evidence/crosswalk.json`).

Mappings whose milestone does not exist yet are skipped; `manage.py load_crosswalk` loads
them once it does (README "Frameworks")."""

from django.db import migrations

from initiatives.evidence.crosswalk import load_crosswalk


def load(apps, schema_editor):
    load_crosswalk(apps)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0030_evidence")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
