"""EU AI Act obligations as readiness milestones (README "Regulation"): which obligations a
classification brings, from which date, on the checklist every reader sees; the production
gate holds until each is done or waived by governance; a re-classification keeps records.
On the shipped data (the migration's), on PostgreSQL."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import EventKind, MilestoneStatus, ObligationRole, Stage
from initiatives.core.events import render_events
from initiatives.core.people import display_name
from initiatives.models import (
    ApplicableObligation,
    ApplicationDate,
    Initiative,
    MilestoneRecord,
    Obligation,
    ReadinessMilestone,
    ReadinessTemplate,
)
from initiatives.portfolio.gates import unmet, unmet_conditions
from initiatives.readiness import services
from initiatives.readiness.obligations import (
    Terms,
    choose,
    obligations_apply,
    outstanding_high_risk,
)
from initiatives.readiness.scoring import checklist
from initiatives.readiness.selectors import readiness_by_domain, readiness_initiatives
from initiatives.regulation.outcome import (
    ANNEX_I,
    ANNEX_III,
    BOTH,
    DEPLOYER,
    HIGH_RISK,
    MINIMAL,
    PROHIBITED,
    PROVIDER,
    TRANSPARENCY,
    Outcome,
)
from tests.factories import InitiativeFactory, UserFactory
from tests.support.clients import api_client_for, client_for
from tests.support.gates import accepted_owner, approve_promotion, case

pytestmark = pytest.mark.django_db

LITERACY, GPAI = date(2025, 2, 2), date(2025, 8, 2)
ANNEX_III_DAY, ANNEX_I_DAY = date(2026, 8, 2), date(2027, 8, 2)
PROVIDER_DUTIES = ["Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14", "Art. 15"]
PROVIDER_DUTIES += ["Art. 17", "Art. 43", "Art. 47", "Art. 48", "Art. 49", "Art. 72", "Art. 73"]

CV_SCREENING = Outcome(HIGH_RISK, PROVIDER, ANNEX_III, "4(a)")
CREDIT_SCORING = Outcome(HIGH_RISK, DEPLOYER, ANNEX_III, "5(b)", fundamental_rights_assessment=True)
CHATBOT = Outcome(TRANSPARENCY, PROVIDER, transparency=("50(1)",))
SPAM_FILTER = Outcome(MINIMAL, PROVIDER)
MEDICAL_DEVICE = Outcome(HIGH_RISK, PROVIDER, ANNEX_I)
GPAI_MODEL = Outcome(MINIMAL, PROVIDER, gpai_provider=True)


def obligations_of(initiative) -> dict[str, date]:
    """The obligations on the initiative's checklist, as the pages and the API read them."""
    return {
        i.obligation.article: i.applies_from for i in checklist(initiative).items if i.obligation
    }


def classified(outcome, reviewer, **fields):
    initiative = InitiativeFactory(**fields)
    obligations_apply(initiative=initiative, outcome=outcome, actor=reviewer)
    return initiative


# --- Which obligations, from when ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        pytest.param(
            CV_SCREENING,
            {"Art. 4": LITERACY} | dict.fromkeys(PROVIDER_DUTIES, ANNEX_III_DAY),
            id="cv-screening-for-hiring",
        ),
        pytest.param(
            CREDIT_SCORING,
            {"Art. 4": LITERACY, "Art. 26": ANNEX_III_DAY, "Art. 27": ANNEX_III_DAY},
            id="credit-scoring-by-a-deploying-bank",
        ),
        pytest.param(
            CHATBOT, {"Art. 4": LITERACY, "Art. 50(1)": ANNEX_III_DAY}, id="customer-chatbot"
        ),
        pytest.param(SPAM_FILTER, {"Art. 4": LITERACY}, id="spam-filter"),
        pytest.param(
            MEDICAL_DEVICE,
            {"Art. 4": LITERACY} | dict.fromkeys(PROVIDER_DUTIES, ANNEX_I_DAY),
            id="annex-i-product",
        ),
        pytest.param(GPAI_MODEL, {"Art. 4": LITERACY, "Art. 53": GPAI}, id="gpai-provider"),
    ],
)
def test_a_classification_brings_its_obligations_with_their_dates(outcome, expected, reviewer):
    initiative = classified(outcome, reviewer)

    assert obligations_of(initiative) == expected
    assert list(obligations_of(initiative)) == list(expected)  # in the checklist's order
    items = [i for i in checklist(initiative).items if i.obligation]
    assert {i.milestone.domain for i in items} == {"EU AI Act"}
    assert {i.milestone.required_for for i in items} == {Stage.PRODUCTION}


def test_the_shipped_dates_and_template_are_data():
    assert dict(ApplicationDate.objects.values_list("regime", "applies_from")) == {
        "prohibitions_and_literacy": LITERACY,
        "gpai": GPAI,
        "annex_iii": ANNEX_III_DAY,
        "transparency": ANNEX_III_DAY,
        "annex_i": ANNEX_I_DAY,
    }
    assert all(ApplicationDate.objects.values_list("note", flat=True))
    template = ReadinessTemplate.objects.get(key="eu-ai-act")
    assert not template.is_default
    assert not template.offered
    articles = set(template.milestones.values_list("obligation__article", flat=True))
    assert len(articles) == 22
    assert {"Art. 26", "Art. 27", "Art. 50(3)", "Art. 50(4)"} <= articles
    form = modelform_factory(Initiative, fields=["readiness_template"])()  # as the admin's
    offered = form.fields["readiness_template"].queryset.values_list("key", flat=True)
    assert "eu-ai-act" not in offered
    assert "crossing-default" in offered


def test_moving_a_date_moves_every_system_it_applies_to(reviewer):
    initiative = classified(CV_SCREENING, reviewer)
    ApplicationDate.objects.filter(regime="annex_iii").update(applies_from=date(2027, 12, 2))

    assert obligations_of(initiative)["Art. 9"] == date(2027, 12, 2)
    assert obligations_of(initiative)["Art. 4"] == LITERACY


# --- The choice, pure -----------------------------------------------------------------------------

TERMS = [
    Terms(1, "Art. 4", "everyone", regime="prohibitions_and_literacy"),
    Terms(2, "Art. 9", "high_risk", ObligationRole.PROVIDER),
    Terms(3, "Art. 26", "high_risk", ObligationRole.DEPLOYER),
    Terms(4, "Art. 27", "fundamental_rights", ObligationRole.DEPLOYER),
    Terms(5, "Art. 50(1)", "transparency", ObligationRole.PROVIDER, "50(1)", "transparency"),
    Terms(6, "Art. 50(3)", "transparency", ObligationRole.DEPLOYER, "50(3)", "transparency"),
    Terms(7, "Art. 53", "gpai", regime="gpai"),
]


def articles(outcome) -> list[str]:
    return [c.article for c in choose(outcome, TERMS)]


def test_the_choice_follows_the_role_as_the_data_says():
    emotions = (("50(1)", "50(3)"),)
    assert articles(Outcome(TRANSPARENCY, PROVIDER, transparency=emotions[0])) == [
        "Art. 4",
        "Art. 50(1)",
    ]
    assert articles(Outcome(TRANSPARENCY, DEPLOYER, transparency=emotions[0])) == [
        "Art. 4",
        "Art. 50(3)",
    ]
    both = Outcome(HIGH_RISK, BOTH, ANNEX_III, transparency=emotions[0])
    assert articles(both) == ["Art. 4", "Art. 9", "Art. 26", "Art. 50(1)", "Art. 50(3)"]


def test_the_choice_dates_high_risk_duties_by_their_basis():
    chosen = {c.article: c.regime for c in choose(Outcome(HIGH_RISK, PROVIDER, ANNEX_I), TERMS)}
    assert chosen == {"Art. 4": "prohibitions_and_literacy", "Art. 9": ANNEX_I}
    with pytest.raises(ValueError, match="names none"):
        choose(Outcome(HIGH_RISK, PROVIDER), TERMS)


def test_the_assessment_of_art_27_needs_a_high_risk_deployer_that_owes_it():
    assert "Art. 27" not in articles(Outcome(HIGH_RISK, DEPLOYER, ANNEX_III))
    assert "Art. 27" not in articles(Outcome(MINIMAL, DEPLOYER, fundamental_rights_assessment=True))
    assert "Art. 27" in articles(
        Outcome(HIGH_RISK, DEPLOYER, ANNEX_III, fundamental_rights_assessment=True)
    )


def test_a_prohibited_system_owes_literacy_and_nothing_of_the_other_regimes():
    assert articles(Outcome(PROHIBITED, PROVIDER)) == ["Art. 4"]
    assert articles(Outcome(PROHIBITED, PROVIDER, gpai_provider=True)) == ["Art. 4", "Art. 53"]


# --- The service ------------------------------------------------------------------------------


def test_only_governance_applies_obligations(contributor):
    initiative = InitiativeFactory(members=[contributor])
    with pytest.raises(PermissionDenied):
        obligations_apply(initiative=initiative, outcome=SPAM_FILTER, actor=contributor)
    assert not ApplicableObligation.objects.exists()


def test_reclassification_replaces_the_set_and_keeps_every_record(reviewer, contributor):
    initiative = classified(CV_SCREENING, reviewer, members=[contributor])
    for key in ("ai-act-art-4", "ai-act-art-9"):
        services.milestone_update(
            initiative=initiative,
            actor=contributor,
            key=key,
            status=MilestoneStatus.DONE,
            evidence_url="https://wiki.example.com/risk-register",
        )

    applied = obligations_apply(initiative=initiative, outcome=CHATBOT, actor=reviewer)

    assert applied.added == ["Art. 50(1)"]
    assert applied.removed == PROVIDER_DUTIES
    assert applied.kept == ["Art. 4"]
    assert list(obligations_of(initiative)) == ["Art. 4", "Art. 50(1)"]
    assert MilestoneRecord.objects.filter(initiative=initiative).count() == 2  # Art. 9's kept
    # Classified high-risk again, Art. 9 comes back done, as it was recorded.
    obligations_apply(initiative=initiative, outcome=CV_SCREENING, actor=reviewer)
    art_9 = next(i for i in checklist(initiative).items if i.milestone.key == "ai-act-art-9")
    assert art_9.status == MilestoneStatus.DONE
    assert art_9.record.evidence_url == "https://wiki.example.com/risk-register"
    events = render_events(initiative.events.filter(kind=EventKind.OBLIGATIONS_APPLIED))
    messages = sorted(e.message for e in events)
    assert any("added Art. 50(1); removed Art. 9, Art. 10" in m for m in messages)
    assert any(
        m.startswith(f"{display_name(reviewer)} applied the EU AI Act obligations")
        for m in messages
    )


def test_reapplying_the_same_classification_changes_nothing_and_says_nothing(reviewer):
    initiative = classified(SPAM_FILTER, reviewer)
    applied = obligations_apply(initiative=initiative, outcome=SPAM_FILTER, actor=reviewer)
    assert (applied.added, applied.removed, applied.kept) == ([], [], ["Art. 4"])
    assert initiative.events.filter(kind=EventKind.OBLIGATIONS_APPLIED).count() == 1


def test_a_new_basis_moves_the_dates_of_the_obligations_it_keeps(reviewer):
    initiative = classified(CV_SCREENING, reviewer)
    applied = obligations_apply(initiative=initiative, outcome=MEDICAL_DEVICE, actor=reviewer)
    assert (applied.added, applied.removed) == ([], [])
    assert obligations_of(initiative)["Art. 9"] == ANNEX_I_DAY


def test_applying_takes_the_same_queries_for_one_or_fifteen_obligations(
    reviewer, django_assert_num_queries
):
    # A savepoint, the lock, the governance check, the obligations, their dates, the current
    # set, one insert, the event, the release.
    for outcome in (SPAM_FILTER, CV_SCREENING):
        actor = type(reviewer).objects.get(pk=reviewer.pk)  # nothing cached
        initiative = InitiativeFactory()
        with django_assert_num_queries(9):
            obligations_apply(initiative=initiative, outcome=outcome, actor=actor)


# --- The gate, the waiver, the pages ---------------------------------------------------------


@pytest.fixture
def ready_pilot(contributor, owner, reviewer):
    """A pilot with everything production asks for but its EU AI Act obligations."""
    pilot = InitiativeFactory(slug="spam-filter", stage=Stage.PILOT, members=[contributor])
    accepted_owner(pilot, owner)
    case(pilot)
    approve_promotion(pilot, UserFactory(governance=True))  # `case` completes the readiness
    obligations_apply(initiative=pilot, outcome=SPAM_FILTER, actor=reviewer)
    return pilot


def test_the_production_gate_holds_until_the_obligation_is_done(ready_pilot, contributor):
    missing = [u for u in unmet(ready_pilot, Stage.PRODUCTION) if "EU AI Act" in u.message]
    assert [u.message for u in missing] == [
        "Readiness milestone not done or waived: EU AI Act — Art. 4: Everyone who builds, runs "
        "or uses the system has the AI literacy their role needs. (applies from 2 Feb 2025)"
    ]
    assert missing[0].fix_url == reverse("milestone", args=["spam-filter", "ai-act-art-4"])
    services.milestone_update(
        initiative=ready_pilot,
        actor=contributor,
        key="ai-act-art-4",
        status=MilestoneStatus.DONE,
        evidence_note="Literacy training for the whole team on 3 March.",
    )
    assert unmet_conditions(ready_pilot, Stage.PRODUCTION) == []


def test_a_team_member_cannot_waive_a_legal_obligation(ready_pilot, contributor):
    governance_member = UserFactory(governance=True)
    ready_pilot.team_members.add(governance_member)
    for actor in (contributor, governance_member):
        with pytest.raises(PermissionDenied):
            services.milestone_waive(
                initiative=ready_pilot, actor=actor, key="ai-act-art-4", justification="No."
            )
    response = client_for(contributor).post(
        reverse("milestone", args=["spam-filter", "ai-act-art-4"]),
        {"action": "decide", "decision": "waive", "comment": "We know enough."},
    )
    assert response.status_code == 403
    response = api_client_for(contributor).post(
        "/api/v1/initiatives/spam-filter/readiness/ai-act-art-4/waive/",
        {"justification": "We know enough."},
        format="json",
    )
    assert response.status_code == 403
    assert not MilestoneRecord.objects.filter(status=MilestoneStatus.WAIVED).exists()


def test_governance_waives_on_request_and_the_system_goes_to_production(
    ready_pilot, contributor, reviewer
):
    milestone_url = reverse("milestone", args=["spam-filter", "ai-act-art-4"])
    team, governance = client_for(contributor), client_for(reviewer)
    team.post(milestone_url, {"action": "request_waiver", "reason": "Covered by group training."})
    refused = governance.post(milestone_url, {"action": "decide", "decision": "waive"})
    assert "A waiver needs a justification." in refused.content.decode()

    governance.post(
        milestone_url,
        {"action": "decide", "decision": "waive", "comment": "The group-wide course covers it."},
    )

    record = MilestoneRecord.objects.get(initiative=ready_pilot, milestone__key="ai-act-art-4")
    assert record.status == MilestoneStatus.WAIVED
    name = display_name(reviewer)
    assert record.history.latest().history_change_reason == f"Legal obligation waived by {name}"
    page = team.get(milestone_url).content.decode()
    assert f"<strong>Legal obligation waived</strong> by {name}" in page
    assert "EU AI Act, Art. 4, applies to this initiative from 2 Feb 2025" in page
    checklist_page = team.get(reverse("readiness", args=["spam-filter"])).content.decode()
    assert f"Legal obligation waived by {name}: The group-wide course covers it." in checklist_page
    assert "Art. 4, applies from 2 Feb 2025" in checklist_page
    moved = team.post(
        reverse("initiative-transition", args=["spam-filter"]), {"to_stage": "production"}
    )
    assert moved.status_code == 302
    ready_pilot.refresh_from_db()
    assert ready_pilot.stage == Stage.PRODUCTION
    timeline = render_events(ready_pilot.events.filter(kind=EventKind.MILESTONE_UPDATED))
    assert any("waived the legal obligation Art. 4" in e.message for e in timeline)


def test_the_api_checklist_cites_article_and_date(reviewer, viewer):
    classified(CHATBOT, reviewer, slug="help-bot")
    body = api_client_for(viewer).get("/api/v1/initiatives/help-bot/readiness/").json()
    cited = {m["key"]: (m["article"], m["applies_from"]) for m in body["milestones"]}
    assert cited["ai-act-art-50-1"] == ("Art. 50(1)", "2026-08-02")
    assert cited["ai-act-art-4"] == ("Art. 4", "2025-02-02")
    assert cited["runbook"] == (None, None)
    assert "EU AI Act" in [d["name"] for d in body["domains"]]


def test_the_checklist_takes_the_same_queries_with_obligations(
    reviewer, viewer, django_assert_num_queries
):
    InitiativeFactory(slug="plain", stage=Stage.PILOT)
    classified(CV_SCREENING, reviewer, slug="hiring", stage=Stage.PILOT)
    client = client_for(viewer)
    client.get(reverse("readiness", args=["plain"]))
    with django_assert_num_queries(11) as plain:
        client.get(reverse("readiness", args=["plain"]))
    with django_assert_num_queries(len(plain.captured_queries)):
        page = client.get(reverse("readiness", args=["hiring"])).content.decode()
    assert "Art. 73, applies from 2 Aug 2026" in page


def test_the_heat_map_counts_obligations_in_the_same_queries(
    reviewer, contributor, django_assert_num_queries
):
    plain = InitiativeFactory(slug="plain", stage=Stage.PILOT)
    hiring = classified(CREDIT_SCORING, reviewer, slug="credit", stage=Stage.PILOT)
    hiring.team_members.add(contributor)
    services.milestone_update(
        initiative=hiring,
        actor=contributor,
        key="ai-act-art-26",
        status=MilestoneStatus.DONE,
        evidence_note="Overseers named and trained.",
    )
    page = list(readiness_initiatives(Initiative.objects.filter(pk__in=[plain.pk, hiring.pk])))
    with django_assert_num_queries(2):
        domains, rows = readiness_by_domain(page)
    assert domains[-1] == "EU AI Act"
    cells = {r.initiative.slug: r.cells[-1] for r in rows}
    assert (cells["credit"].required, cells["credit"].satisfied) == (3, 1)
    assert (cells["plain"].required, cells["plain"].satisfied) == (0, 0)
    totals = {r.initiative.slug: r.total.required for r in rows}
    assert totals["credit"] == totals["plain"] + 3


def test_outstanding_high_risk_systems_in_one_query(
    reviewer, contributor, django_assert_num_queries
):
    hiring = classified(CV_SCREENING, reviewer, slug="hiring", name="Hiring", members=[contributor])
    classified(CREDIT_SCORING, reviewer, slug="credit", name="Credit")
    classified(CHATBOT, reviewer, slug="bot")  # not high-risk
    classified(CV_SCREENING, reviewer, slug="gone", stage=Stage.RETIRED)
    done = classified(CREDIT_SCORING, reviewer, slug="done")
    complete = MilestoneRecord.objects.bulk_create(
        MilestoneRecord(
            initiative=done, milestone=m, status=MilestoneStatus.DONE, evidence_note="Done."
        )
        for m in ReadinessMilestone.objects.filter(applicable_obligations__initiative=done)
    )
    assert len(complete) == 3
    services.milestone_update(
        initiative=hiring,
        actor=contributor,
        key="ai-act-art-4",
        status=MilestoneStatus.DONE,
        evidence_note="Trained.",
    )

    with django_assert_num_queries(1):
        systems = outstanding_high_risk(date(2026, 8, 1))
    assert [(s.initiative.slug, s.outstanding, s.overdue, s.nearest) for s in systems] == [
        ("credit", 3, 1, LITERACY),  # Art. 4 applies already
        ("hiring", 14, 0, ANNEX_III_DAY),
    ]
    later = {s.initiative.slug: s.overdue for s in outstanding_high_risk(ANNEX_III_DAY)}
    assert later == {"credit": 3, "hiring": 14}
    with django_assert_num_queries(1):
        assert len(outstanding_high_risk(timezone.localdate())) == 2


# --- The admin edits the data -------------------------------------------------------------------


def test_the_admin_edits_an_obligation_and_a_date(staff, reviewer):
    initiative = classified(SPAM_FILTER, reviewer)
    obligation = Obligation.objects.get(article="Art. 4")
    client = client_for(staff)
    for model in ("obligation", "applicationdate"):
        assert client.get(reverse(f"admin:initiatives_{model}_changelist")).status_code == 200
    url = reverse("admin:initiatives_obligation_change", args=[obligation.pk])
    assert "AI literacy their role needs" in client.get(url).content.decode()
    literacy = ApplicationDate.objects.get(regime="prohibitions_and_literacy")
    fields = {
        "article": "Art. 4",
        "applies_to": "everyone",
        "role": "any",
        "paragraph": "",
        "application_date": literacy.pk,
        "title": "Everyone on the team has done the AI literacy course.",
        "done_when": "The course record.",
        "active": "on",
    }
    refused = client.post(url, {**fields, "paragraph": "50(1)"})
    assert refused.status_code == 200  # the form comes back with the constraint's message
    assert "no other obligation has one" in refused.content.decode()
    assert client.post(url, fields).status_code == 302
    date_url = reverse("admin:initiatives_applicationdate_change", args=[literacy.pk])
    moved = {"regime": literacy.regime, "label": literacy.label, "note": literacy.note}
    assert client.post(date_url, {**moved, "applies_from": "2025-03-01"}).status_code == 302

    item = next(i for i in checklist(initiative).items if i.obligation)
    assert item.milestone.title == "Everyone on the team has done the AI literacy course."
    assert item.applies_from == date(2025, 3, 1)
