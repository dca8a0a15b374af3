"""The migration that gives flags opened before every rule said why the reason their rule
now records (issue 14): migrate back, store flags as the old scan did, migrate forward."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives.models import Flag
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("initiatives", "0023_drop_initiativeevent_message")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_flags_opened_before_reasons_get_the_reason_their_rule_now_gives():
    poc, owned = InitiativeFactory(slug="poc"), InitiativeFactory(slug="owned")
    [leaf] = MigrationExecutor(connection).loader.graph.leaf_nodes("initiatives")
    try:
        old = migrate(BEFORE).get_model("initiatives", "Flag")
        old.objects.create(
            initiative_id=poc.pk,
            kind="stalled",
            facts={"stage": "poc", "days_in_stage": 95, "limit_days": 90},
        )
        old.objects.create(
            initiative_id=owned.pk,
            kind="stale_ownership",
            facts={"owner": "ivan", "days_since_confirmation": None, "limit_days": 90},
        )
    finally:
        migrate(leaf)

    reasons = dict(Flag.objects.values_list("initiative__slug", "facts__reason"))
    assert reasons == {
        "poc": "95 days in proof of concept (limit 90 days)",
        "owned": "ownership never confirmed (limit 90 days)",
    }
