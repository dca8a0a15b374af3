"""Audit trail (README "Audit"): who, when, what changed from what, on every path."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core.choices import EventKind, RiskTier, Stage
from initiatives.models import BusinessUnit, Flag, Initiative, Team
from initiatives.portfolio import services
from initiatives.portfolio.selectors import initiative_history
from initiatives.watch.scan import scan_portfolio
from tests.factories import AuthTokenFactory, BusinessUnitFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def edit_form_data(initiative, **changes):
    data = {
        "name": initiative.name,
        "summary": initiative.summary,
        "business_unit": initiative.business_unit_id,
        "sponsor": "",
        "risk_tier": initiative.risk_tier,
        "target_production_date": "",
        "team_members": list(initiative.team_members.values_list("pk", flat=True)),
    }
    data.update(changes)
    return data


def test_a_change_through_the_form_shows_who_and_what_changed(initiative, contributor, as_user):
    response = as_user(contributor).post(
        reverse("initiative-edit", args=[initiative.slug]),
        edit_form_data(initiative, name="Card fraud scoring", risk_tier=RiskTier.HIGH),
    )
    assert response.status_code == 302
    latest = initiative_history(initiative)[0]
    assert latest.user == contributor.get_full_name()
    assert {(c.field, c.old, c.new) for c in latest.changes} == {
        ("name", "Fraud scoring", "Card fraud scoring"),
        ("risk tier", "Medium", "High"),
    }
    event = initiative.events.get(kind=EventKind.EDITED)
    assert event.actor == contributor
    assert event.message == f"{contributor.get_full_name()} changed name, risk_tier."


def test_the_history_is_shown_on_the_initiative_page(initiative, contributor, as_user):
    client = as_user(contributor)
    client.post(
        reverse("initiative-edit", args=[initiative.slug]),
        edit_form_data(initiative, name="Card fraud scoring"),
    )
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "<del>Fraud scoring</del> → <ins>Card fraud scoring</ins>" in page
    assert f"{contributor.get_full_name()} changed the initiative" in page


def test_a_change_through_the_api_is_attributed_to_the_token_owner(initiative, contributor):

    token = AuthTokenFactory(user=contributor).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.patch(
        f"/api/v1/initiatives/{initiative.slug}/", {"summary": "Now in real time."}, format="json"
    )
    assert response.status_code == 200, response.content
    record = initiative.history.first()
    assert record.history_user == contributor
    assert record.summary == "Now in real time."


def test_a_stage_change_names_the_foreign_keys_and_labels(initiative, contributor):
    unit = BusinessUnitFactory(name="Claims")
    services.initiative_update(
        initiative=initiative, actor=contributor, data={"business_unit": unit}
    )
    services.initiative_transition(initiative=initiative, actor=contributor, to_stage=Stage.POC)
    history = initiative_history(initiative)
    stage_change = next(c for c in history[0].changes if c.field == "stage")
    assert (stage_change.old, stage_change.new) == ("Idea", "Proof of concept")
    assert history[0].reason == "Stage → poc"
    unit_change = next(c for c in history[1].changes if c.field == "business unit")
    assert unit_change.new == "Claims"


def test_a_change_in_the_admin_is_recorded(initiative, staff, as_user):
    client = as_user(staff)
    url = reverse("admin:initiatives_initiative_change", args=[initiative.pk])
    response = client.post(
        url,
        {
            "name": "Fraud scoring v2",
            "slug": initiative.slug,
            "summary": initiative.summary,
            "business_unit": initiative.business_unit_id,
            "risk_tier": "low",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
            "health_thresholds-TOTAL_FORMS": "0",
            "health_thresholds-INITIAL_FORMS": "0",
            "health_grants-TOTAL_FORMS": "0",
            "health_grants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = initiative.history.first()
    assert (record.history_user, record.name, record.risk_tier) == (
        staff,
        "Fraud scoring v2",
        "low",
    )


def test_history_cannot_be_edited_in_the_admin(initiative, contributor, staff, as_user):
    services.initiative_transition(initiative=initiative, actor=contributor, to_stage=Stage.POC)
    client = as_user(staff)
    transition = initiative.transitions.get()
    event = initiative.events.first()
    for name, pk in (
        ("admin:initiatives_stagetransition_change", transition.pk),
        ("admin:initiatives_initiativeevent_change", event.pk),
    ):
        response = client.post(reverse(name, args=[pk]), {"note": "rewritten"})
        assert response.status_code == 403
    assert client.get(reverse("admin:initiatives_stagetransition_add")).status_code == 403
    transition.refresh_from_db()
    assert transition.note == ""


# --- Bulk writes: the scan and the import ---------------------------------------------------


def test_the_scan_records_every_flag_it_opens_and_resolves_in_bulk(staff):
    """The scan writes flags with bulk_create/bulk_update, which send no signals; each flag
    still gets its history record, naming the scan (no person acted)."""
    now = timezone.now()
    stalled = [
        InitiativeFactory(stage=Stage.POC, stage_entered_at=now - timedelta(days=120))
        for _ in range(3)
    ]
    scan_portfolio(as_of=now)
    flags = list(Flag.objects.filter(initiative__in=stalled))
    assert len(flags) == 3
    opened = Flag.history.filter(history_type="+")
    assert set(opened.values_list("id", "history_change_reason", "history_user")) == {
        (flag.pk, "Opened by the scan", None) for flag in flags
    }

    for initiative in stalled[:2]:  # two move on: their flags resolve
        services.initiative_transition(
            initiative=initiative,
            actor=staff,
            to_stage=Stage.IDEA,
            note="Back to the drawing board",
        )
    later = timezone.now()
    scan_portfolio(as_of=later)

    resolved = Flag.history.filter(history_type="~")
    assert set(resolved.values_list("initiative_id", "history_change_reason", "resolved_at")) == {
        (initiative.pk, "Resolved by the scan", later) for initiative in stalled[:2]
    }


def test_everything_an_import_creates_names_the_importer_and_the_file(tmp_path, staff):
    path = tmp_path / "q3.csv"
    path.write_text(
        "name,slug,business_unit,stage,owning_team\n"
        "Claims triage,claims-triage,Insurance Ops,poc,Claims ML\n"
    )

    call_command("import_initiatives", str(path), "--as", "staff")

    for model in (BusinessUnit, Team):
        [record] = model.history.all()
        assert (record.history_user, record.history_change_reason) == (
            staff,
            "Imported from q3.csv",
        )
    initiative = Initiative.objects.get(slug="claims-triage")
    [created] = initiative.history.all()
    assert (created.history_user, created.history_change_reason) == (staff, "Imported from q3.csv")

    path.write_text(
        "name,slug,business_unit,stage,owning_team\n"
        "Claims triage,claims-triage,Insurance Ops,pilot,Claims ML\n"
    )
    call_command("import_initiatives", str(path), "--as", "staff")

    reimported = initiative.history.exclude(pk=created.pk)
    assert set(reimported.values_list("history_user", "history_change_reason")) == {
        # Only the stage changed: one record, by the transition, naming the file.
        (staff.pk, "Imported from q3.csv: stage → pilot"),
    }
    assert initiative.history.first().stage == Stage.PILOT
    assert initiative.transitions.get().note == "Imported from q3.csv"


def test_health_reporting_grants_and_revocations_are_in_the_history(db):
    from django.core.management import call_command

    from initiatives.models import HealthReporterGrant
    from tests.factories import InitiativeFactory

    live = InitiativeFactory(slug="live-system")
    call_command("grant_health_reporting", "probe", "live-system", "--create", verbosity=0)
    call_command("grant_health_reporting", "probe", "live-system", "--revoke", verbosity=0)
    assert not HealthReporterGrant.objects.exists()
    history = list(
        HealthReporterGrant.history.filter(initiative=live).order_by("history_date", "history_id")
    )
    assert [(h.history_type, h.history_change_reason) for h in history] == [
        ("+", "Granted with grant_health_reporting"),
        ("-", "Revoked with grant_health_reporting"),
    ]
