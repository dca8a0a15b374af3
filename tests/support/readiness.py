"""The shipped readiness templates (and EU AI Act obligations) in tests that flush the
database."""

import importlib

from django.apps import apps

from initiatives.models import ReadinessTemplate


def default_template() -> ReadinessTemplate:
    """The default readiness template, loaded again from its data migration when an earlier
    transactional test's flush removed it (a flush empties every table, seeded ones too)."""
    if not ReadinessTemplate.objects.filter(is_default=True).exists():
        importlib.import_module("initiatives.migrations.0008_readiness_templates").load(apps, None)
    return ReadinessTemplate.objects.get(is_default=True)


def shipped_crosswalk() -> ReadinessTemplate:
    """The default template and the shipped cross-walk, loaded again when an earlier
    transactional test's flush removed them. Returns the default template."""
    template = default_template()
    from initiatives.evidence.services import crosswalk_load
    from initiatives.models import CrosswalkLink

    if not CrosswalkLink.objects.exists():
        crosswalk_load()
    return template


def shipped_obligations() -> ReadinessTemplate:
    """The EU AI Act obligations and their application dates, loaded again from their data
    migration when an earlier transactional test's flush removed them."""
    if not ReadinessTemplate.objects.filter(key="eu-ai-act").exists():
        importlib.import_module("initiatives.migrations.0035_oblig_data").load(apps, None)
    return ReadinessTemplate.objects.get(key="eu-ai-act")
