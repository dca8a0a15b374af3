"""Readiness (README "Readiness"): templates, checklists, scores, waivers, the gate."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from initiatives.core.choices import MilestoneStatus, Stage
from initiatives.models import MilestoneRecord, ReadinessTemplate
from initiatives.portfolio.gates import unmet_conditions
from initiatives.readiness import services
from initiatives.readiness.scoring import checklist
from tests.factories import InitiativeFactory, ReadinessMilestoneFactory, complete_readiness

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_template():
    return ReadinessTemplate.objects.get(is_default=True)


@pytest.fixture
def mlts():
    return ReadinessTemplate.objects.get(key="ml-test-score")


def done(initiative, actor, key, mode="manual"):
    return services.milestone_update(
        initiative=initiative,
        actor=actor,
        key=key,
        status=MilestoneStatus.DONE,
        evidence_url="https://ci.example.com/run/1",
        check_mode=mode,
    )


# --- Templates and checklists ------------------------------------------------------------------


def test_the_shipped_templates(default_template, mlts):
    domains = set(default_template.milestones.values_list("domain", flat=True))
    assert domains == {
        "Compute orchestration",
        "Data pipeline",
        "Model serving and versioning",
        "Security",
        "Observability",
        "Testing",
        "Operations",
    }
    assert default_template.milestones.count() >= 20
    sections = {}
    for domain in mlts.milestones.values_list("domain", flat=True):
        sections[domain] = sections.get(domain, 0) + 1
    assert sections == {"Data": 7, "Model": 7, "Infrastructure": 7, "Monitoring": 7}


def test_a_new_initiative_gets_the_default_checklist(default_template):
    readiness = checklist(InitiativeFactory(stage=Stage.POC))
    assert readiness.template == default_template
    assert readiness.target == Stage.PILOT
    assert len(readiness.items) == default_template.milestones.count()
    assert {i.status for i in readiness.items} == {MilestoneStatus.NOT_STARTED}


def test_a_template_change_reaches_existing_initiatives_and_keeps_their_records(
    default_template, contributor, mlts
):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    done(initiative, contributor, "runbook")
    ReadinessMilestoneFactory(
        template=default_template,
        key="cost-budget",
        domain="Operations",
        title="Running costs are within the approved budget for three months.",
        done_when="Cost report.",
        required_for=Stage.PRODUCTION,
        order=99,
    )
    keys = [i.milestone.key for i in checklist(initiative).items]
    assert "cost-budget" in keys
    assert checklist(initiative).items[keys.index("runbook")].status == MilestoneStatus.DONE

    default_template.milestones.filter(key="runbook").update(active=False)
    assert "runbook" not in [i.milestone.key for i in checklist(initiative).items]
    assert MilestoneRecord.objects.filter(milestone__key="runbook").exists()  # kept

    initiative.readiness_template = mlts
    initiative.save()
    assert checklist(initiative).template == mlts
    default_template.milestones.filter(key="runbook").update(active=True)
    initiative.readiness_template = None
    initiative.save()
    items = {i.milestone.key: i for i in checklist(initiative).items}
    assert items["runbook"].status == MilestoneStatus.DONE  # back, as it was


# --- Scores ----------------------------------------------------------------------------------


def test_readiness_counts_what_the_next_stage_requires(default_template, contributor, reviewer):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor])
    pilot_keys = list(
        default_template.milestones.filter(required_for=Stage.PILOT).values_list("key", flat=True)
    )
    done(initiative, contributor, pilot_keys[0])
    services.milestone_waive(
        initiative=initiative, actor=reviewer, key=pilot_keys[1], justification="Batch only."
    )
    done(initiative, contributor, "on-call")  # production only: does not count for pilot
    readiness = checklist(initiative)
    assert (readiness.total.required, readiness.total.satisfied) == (len(pilot_keys), 2)
    assert readiness.total.share == (Decimal(2) / len(pilot_keys)).quantize(Decimal("0.001"))
    operations = next(d for d in readiness.domains if d.name == "Operations")
    assert (operations.required, operations.satisfied) == (1, 0)  # the runbook

    initiative.stage = Stage.PILOT  # production requires everything, pilot's included
    readiness = checklist(initiative)
    assert readiness.total.required == default_template.milestones.count()
    assert readiness.total.satisfied == 3


def test_the_ml_test_score_is_the_lowest_section(mlts, contributor):
    initiative = InitiativeFactory(
        stage=Stage.PILOT, members=[contributor], readiness_template=mlts
    )
    keys = dict(mlts.milestones.values_list("key", "domain"))
    by_section = {}
    for key, domain in keys.items():
        by_section.setdefault(domain, []).append(key)
    for key in by_section["Data"][:4]:
        done(initiative, contributor, key, "automated")  # 4 points
    for key in by_section["Model"][:3]:
        done(initiative, contributor, key, "manual")  # 1.5 points
    for key in by_section["Infrastructure"]:
        done(initiative, contributor, key, "automated")  # 7 points
    for key in by_section["Monitoring"][:2]:
        done(initiative, contributor, key, "automated")  # 2 points
    score = checklist(initiative).ml_test_score
    assert score.sections == {
        "Data": Decimal(4),
        "Model": Decimal("1.5"),
        "Infrastructure": Decimal(7),
        "Monitoring": Decimal(2),
    }
    assert score.final == Decimal("1.5")
    assert score.reading.startswith("A first pass at production basics")


def test_an_untouched_ml_test_score_reads_as_a_research_project(mlts):
    initiative = InitiativeFactory(readiness_template=mlts)
    score = checklist(initiative).ml_test_score
    assert score.final == 0
    assert score.reading == "More a research project than a production system."


# --- The gate ----------------------------------------------------------------------------------


def test_the_production_gate_lists_exactly_the_missing_milestones(default_template, contributor):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    complete_readiness(initiative)
    MilestoneRecord.objects.filter(
        initiative=initiative, milestone__key__in=["tested-rollback", "on-call"]
    ).delete()
    missing = [m for m in unmet_conditions(initiative, Stage.PRODUCTION) if "Readiness" in m]
    assert missing == [
        "Readiness milestone not done or waived: Model serving and versioning — A rollback to "
        "the previous model version has been performed in the last 90 days and took under an "
        "hour.",
        "Readiness milestone not done or waived: Operations — An on-call rota covers the "
        "system's service hours, with at least two people.",
    ]


def test_the_gate_passes_once_missing_milestones_are_done_or_waived(contributor, reviewer):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    complete_readiness(initiative)
    MilestoneRecord.objects.filter(
        initiative=initiative, milestone__key__in=["tested-rollback", "on-call"]
    ).delete()
    done(initiative, contributor, "tested-rollback")
    services.milestone_waive(
        initiative=initiative, actor=reviewer, key="on-call", justification="Office hours only."
    )
    assert not [m for m in unmet_conditions(initiative, Stage.PRODUCTION) if "Readiness" in m]


# --- Bad input and permissions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"evidence_url": "ftp://files.example.com/proof"}, "evidence_url"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"evidence_url": "not a link"}, "evidence_url"),
        ({"evidence_url": "", "evidence_note": ""}, "evidence_url"),  # done needs evidence
        ({"status": "waived"}, "status"),
        ({"status": "finished"}, "status"),
        ({"key": "no-such-milestone"}, "key"),
    ],
)
def test_bad_milestone_input_is_refused_and_nothing_saved(contributor, changes, field):
    initiative = InitiativeFactory(members=[contributor])
    arguments = {
        "initiative": initiative,
        "actor": contributor,
        "key": "runbook",
        "status": MilestoneStatus.DONE,
        "evidence_url": "https://wiki.example.com/runbook",
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.milestone_update(**arguments)
    assert field in error.value.message_dict
    assert not MilestoneRecord.objects.exists()


def test_a_waiver_needs_a_justification_and_a_governance_reviewer(contributor, reviewer):
    initiative = InitiativeFactory(members=[contributor])
    with pytest.raises(ValidationError) as error:
        services.milestone_waive(
            initiative=initiative, actor=reviewer, key="runbook", justification="   "
        )
    assert "justification" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.milestone_waive(
            initiative=initiative, actor=contributor, key="runbook", justification="Trust me."
        )
    assert not MilestoneRecord.objects.exists()


def test_the_team_cannot_undo_a_waiver(contributor, reviewer):
    initiative = InitiativeFactory(members=[contributor])
    services.milestone_waive(
        initiative=initiative, actor=reviewer, key="runbook", justification="Covered elsewhere."
    )
    with pytest.raises(ValidationError) as error:
        services.milestone_update(
            initiative=initiative, actor=contributor, key="runbook", status="in_progress"
        )
    assert "only a governance reviewer" in error.value.message_dict["status"][0]


@pytest.mark.parametrize(
    ("role", "update", "waive"),
    [
        ("viewer", 403, 403),
        ("contributor", 302, 403),
        ("reviewer", 403, 302),
        ("staff", 302, 302),
    ],
)
def test_ui_permissions_for_updating_and_waiving(request, as_user, role, update, waive):
    contributor = request.getfixturevalue("contributor")
    initiative = InitiativeFactory(members=[contributor])
    client = as_user(request.getfixturevalue(role))
    url = reverse("milestone", args=[initiative.slug, "runbook"])
    answer = client.post(
        url, {"action": "update", "status": "in_progress", "evidence_url": "", "check_mode": ""}
    )
    assert answer.status_code == update
    answer = client.post(url, {"action": "waive", "justification": "Not needed here."})
    assert answer.status_code == waive
    expected = 0 if (update, waive) == (403, 403) else 1
    assert MilestoneRecord.objects.count() == expected


def test_the_form_keeps_what_was_typed_on_an_error(contributor, as_user):
    initiative = InitiativeFactory(members=[contributor])
    response = as_user(contributor).post(
        reverse("milestone", args=[initiative.slug, "runbook"]),
        {"action": "update", "status": "done", "evidence_url": "ftp://x", "evidence_note": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence_url"] == ["Enter an http(s) link."]
    assert 'value="ftp://x"' in response.content.decode()


def test_pages_show_the_checklist_and_unknown_keys_are_404(contributor, as_user):
    initiative = InitiativeFactory(members=[contributor])
    client = as_user(contributor)
    page = client.get(reverse("readiness", args=[initiative.slug])).content.decode()
    assert "A runbook covers restart, rollback" in page
    assert "<meter" in client.get(initiative.get_absolute_url()).content.decode()
    assert client.get(reverse("milestone", args=[initiative.slug, "nope"])).status_code == 404


@pytest.mark.parametrize(
    ("role", "update", "waive"),
    [("viewer", 403, 403), ("contributor", 200, 403), ("reviewer", 403, 200)],
)
def test_api_permissions_for_updating_and_waiving(request, role, update, waive):
    contributor = request.getfixturevalue("contributor")
    InitiativeFactory(slug="claims", members=[contributor])
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(role))
    base = "/api/v1/initiatives/claims/readiness/"
    answer = client.patch(
        f"{base}runbook/",
        {"status": "done", "evidence_note": "Drill on 1 Nov."},
        format="json",
    )
    assert answer.status_code == update
    answer = client.post(f"{base}runbook/waive/", {"justification": "Covered."}, format="json")
    assert answer.status_code == waive
    listing = client.get(base).json()
    assert listing["template"] == "crossing-default"
    assert len(listing["milestones"]) == 24
    assert listing["total"]["required"] > 0


def test_api_bad_input_names_the_field(contributor):
    InitiativeFactory(slug="claims", members=[contributor])
    client = APIClient()
    client.force_authenticate(contributor)
    base = "/api/v1/initiatives/claims/readiness/"
    answer = client.patch(f"{base}runbook/", {"status": "done"}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"evidence_url": ["Done needs evidence: a link, a note, or both."]}
    answer = client.patch(f"{base}nope/", {"status": "in_progress"}, format="json")
    assert answer.status_code == 400
    assert "key" in answer.json()
    answer = client.patch(f"{base}runbook/", {"status": "done", "extra": 1}, format="json")
    assert answer.json() == {"extra": ["Unknown or read-only field."]}
    assert not MilestoneRecord.objects.exists()


def test_an_api_patch_changes_only_what_it_names(contributor):
    initiative = InitiativeFactory(slug="claims", members=[contributor])
    done(initiative, contributor, "runbook")
    client = APIClient()
    client.force_authenticate(contributor)
    answer = client.patch(
        "/api/v1/initiatives/claims/readiness/runbook/",
        {"evidence_note": "Drill 2 Nov."},
        format="json",
    )
    assert answer.status_code == 200
    record = MilestoneRecord.objects.get()
    assert (record.status, record.evidence_url, record.evidence_note) == (
        MilestoneStatus.DONE,
        "https://ci.example.com/run/1",
        "Drill 2 Nov.",
    )


def test_a_governance_reviewer_off_the_team_can_lift_a_waiver(contributor, reviewer, as_user):
    initiative = InitiativeFactory(members=[contributor])
    services.milestone_waive(
        initiative=initiative, actor=reviewer, key="runbook", justification="Covered."
    )
    page = as_user(reviewer).get(reverse("milestone", args=[initiative.slug, "runbook"]))
    assert "Covered." in page.content.decode()  # the justification is shown
    response = as_user(reviewer).post(
        reverse("milestone", args=[initiative.slug, "runbook"]),
        {"action": "update", "status": "in_progress", "evidence_url": ""},
    )
    assert response.status_code == 302
    assert MilestoneRecord.objects.get().status == MilestoneStatus.IN_PROGRESS
    outsider = as_user(reviewer).post(
        reverse("milestone", args=[initiative.slug, "on-call"]),
        {"action": "update", "status": "in_progress", "evidence_url": ""},
    )
    assert outsider.status_code == 403  # not waived: that is the team's to update
