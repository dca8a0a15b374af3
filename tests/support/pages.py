"""Every page a person uses, as the person who uses it: one table for the browser tests that
must cover every page (accessibility, phone width).

`build()` arranges, with factories, one small portfolio in which each page has something to
show (a pilot with a submitted business case, a pending handover and promotion, a live
system with health charts, a failed e-mail...), and returns the objects the table's
addresses are made from. `PAGES` names each page, who opens it, and the status it answers.

People (password `tests.support.browser.PASSWORD`):
    tomas   on the pilot's team (edits it, names owners, asks for the promotion)
    gina    governance reviewer, not on any team (queue, e-mails, reviews)
    olga    the incoming owner a handover waits for
    root    an administrator (import)
    None    not signed in (the sign-in page)
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, EmailStatus, FlagKind, Stage
from initiatives.readiness.obligations import obligations_apply
from initiatives.regulation import services as regulation_services
from initiatives.regulation.outcome import PROVIDER, TRANSPARENCY, Outcome
from tests.factories import (
    ApiTokenInfoFactory,
    AuthTokenFactory,
    BusinessCaseFactory,
    EmailRecordFactory,
    FlagFactory,
    HealthReportFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    StageTransitionFactory,
    UserFactory,
)
from tests.support.browser import PASSWORD
from tests.support.readiness import shipped_crosswalk, shipped_obligations
from tests.support.regulation import answers
from tests.support.value import REPORTS, production_system
from tests.support.value import report as value_report


@dataclass(frozen=True)
class Page:
    name: str
    who: str | None  # username, or None for a visitor not signed in
    address: Callable[[dict], str]
    status: int = 200


def build() -> dict:
    """The data every page in `PAGES` needs, arranged once; returns the objects by name."""
    tomas = UserFactory(username="tomas", password=PASSWORD, first_name="Tomas", last_name="Berg")
    gina = UserFactory(
        username="gina", password=PASSWORD, first_name="Gina", last_name="Ode", governance=True
    )
    olga = UserFactory(username="olga", password=PASSWORD, first_name="Olga", last_name="Lind")
    UserFactory(username="root", password=PASSWORD, is_superuser=True, is_staff=True)
    now = timezone.now()

    pilot = InitiativeFactory(
        name="Claims triage assistant",
        slug="claims-triage",
        stage=Stage.PILOT,
        stage_entered_at=now - timedelta(days=40),
        members=[tomas],
    )
    StageTransitionFactory(initiative=pilot, from_stage=Stage.POC, to_stage=Stage.PILOT)
    # A customer-facing chatbot: its EU AI Act obligations join the checklist.
    shipped_obligations()
    chatbot = Outcome(TRANSPARENCY, PROVIDER, transparency=("50(1)",))
    obligations_apply(initiative=pilot, outcome=chatbot, actor=gina)
    BusinessCaseFactory(initiative=pilot, version=1, status=BusinessCaseStatus.APPROVED)
    case = BusinessCaseFactory(
        initiative=pilot,
        version=2,
        status=BusinessCaseStatus.SUBMITTED,
        build_cost=Decimal("95000.00"),
        created_by=tomas,
        reviewed_at=None,
    )
    template = shipped_crosswalk()  # the default template, its milestones cross-walked
    milestones = list(template.milestones.filter(active=True)[:2])
    MilestoneRecordFactory(
        initiative=pilot,
        milestone=milestones[0],
        status="done",
        evidence_note="Runbook reviewed.",
        check_mode="manual",
    )
    handover = OwnershipHandoverFactory(initiative=pilot, to_owner=olga, requested_by=tomas)
    promotion = PromotionRequestFactory(
        initiative=pilot, requested_by=tomas, note="The pilot met its targets."
    )
    FlagFactory(initiative=pilot, kind=FlagKind.STALLED)
    # A waiver the team asked for, waiting for a governance reviewer's decision.
    MilestoneRecordFactory(
        initiative=pilot,
        milestone=milestones[1],
        status="in_progress",
        waiver_requested_by=tomas,
        waiver_requested_at=now - timedelta(days=2),
        waiver_request_reason="The vendor's model is evaluated by the vendor.",
    )
    # A business case returned for changes, which its author revises.
    poc = InitiativeFactory(
        name="Contract clause finder", slug="clause-finder", stage=Stage.POC, members=[tomas]
    )
    returned = BusinessCaseFactory(
        initiative=poc,
        version=1,
        status=BusinessCaseStatus.CHANGES_REQUESTED,
        created_by=tomas,
        reviewed_by=gina,
        review_comment="Put the capacity hours in figures.",
    )

    live = InitiativeFactory(
        name="Invoice reader",
        slug="invoice-reader",
        stage=Stage.PRODUCTION,
        stage_entered_at=now - timedelta(days=200),
        production_owner=olga,
        owner_accepted_at=now - timedelta(days=100),
        health_status="degraded",
    )
    for days in range(6):
        HealthReportFactory(
            initiative=live,
            observed_at=now - timedelta(days=days),
            availability=99.5 - days / 10,
            latency_p95_ms=420 + days * 30,
            error_rate=0.01 + days / 1000,
        )
    FlagFactory(initiative=live, kind=FlagKind.HEALTH_DEGRADED)
    EmailRecordFactory(
        status=EmailStatus.FAILED,
        initiative=pilot,
        recipient="a.very.long.address.of.someone@subsidiary.example.com",
        last_error="SMTPServerDisconnected: Connection unexpectedly closed by the relay",
    )
    EmailRecordFactory(initiative=live)
    # Value realisation: a system reporting its value, one quarter left unreported.
    valued = production_system(name="Fraud scorer", slug="fraud-scorer", owner=olga)
    for (year, quarter), values in list(REPORTS.items())[:3]:
        value_report(valued, year, quarter, **values)
    # The pilot's EU AI Act classification: v1 confirmed (high-risk), v2 awaiting
    # confirmation (an Art. 6(3) exception); the POC is not classified yet (the form).
    first = regulation_services.classification_submit(
        initiative=pilot,
        actor=tomas,
        answers=answers(role="provider", annex_iii="p4a", interacts="yes"),
    )
    regulation_services.classification_confirm(classification=first, actor=gina)
    regulation_services.classification_submit(
        initiative=pilot,
        actor=tomas,
        answers=answers(
            role="provider", annex_iii="p4a", exceptions=["preparatory"], interacts="yes"
        ),
    )
    token = AuthTokenFactory(user=tomas)
    ApiTokenInfoFactory(token=token, name="Nightly export", last_used_at=now - timedelta(hours=3))
    return {
        "pilot": pilot,
        "live": live,
        "valued": valued,
        "case": case,
        "milestone": milestones[0],
        "waiver": milestones[1],
        "returned": returned,
        "email": EmailRecordFactory(initiative=pilot, recipient="olga@example.com"),
        "handover": handover,
        "promotion": promotion,
        "poc": poc,
    }


def _on(name: str, objects: dict, *args) -> str:
    return reverse(name, args=[objects["pilot"].slug, *args])


PAGES: list[Page] = [
    Page("sign-in", None, lambda o: reverse("login")),
    Page("portfolio", "gina", lambda o: reverse("portfolio")),
    Page("initiative list", "gina", lambda o: reverse("initiative-list")),
    Page("initiative", "tomas", lambda o: o["pilot"].get_absolute_url()),
    Page("live initiative", "gina", lambda o: o["live"].get_absolute_url()),
    Page("new initiative", "tomas", lambda o: reverse("initiative-create")),
    Page("initiative edit", "tomas", lambda o: _on("initiative-edit", o)),
    Page("readiness", "tomas", lambda o: _on("readiness", o)),
    Page("milestone", "tomas", lambda o: _on("milestone", o, o["milestone"].key)),
    Page("waiver decision", "gina", lambda o: _on("milestone", o, o["waiver"].key)),
    Page("legal obligation", "gina", lambda o: _on("milestone", o, "ai-act-art-50-1")),
    Page("readiness heat map", "gina", lambda o: reverse("readiness-map")),
    Page("frameworks", "gina", lambda o: reverse("frameworks")),
    Page("initiative frameworks", "tomas", lambda o: _on("initiative-frameworks", o)),
    Page("evidence pack", "gina", lambda o: _on("evidence-pack", o)),
    Page("business case list", "tomas", lambda o: _on("business-case-list", o)),
    Page("business case", "gina", lambda o: _on("business-case-detail", o, o["case"].version)),
    Page(
        "returned business case",
        "tomas",
        lambda o: o["returned"].get_absolute_url(),
    ),
    Page("business case form", "tomas", lambda o: _on("business-case-create", o)),
    Page(
        "business case compare",
        "gina",
        lambda o: _on("business-case-compare", o) + "?a=1&b=2",
    ),
    Page("classification", "tomas", lambda o: _on("classification", o)),
    Page(
        "classification questionnaire",
        "tomas",
        lambda o: reverse("classification", args=[o["poc"].slug]),
    ),
    Page("classification decision", "gina", lambda o: _on("classification-version", o, 2)),
    Page("handover form", "tomas", lambda o: _on("initiative-handover", o)),
    Page("handover answer", "olga", lambda o: reverse("handover-answer", args=[o["handover"].pk])),
    Page("promotion request", "tomas", lambda o: _on("initiative-promotion", o)),
    Page(
        "promotion review", "gina", lambda o: reverse("promotion-review", args=[o["promotion"].pk])
    ),
    Page("transition form", "tomas", lambda o: _on("initiative-transition", o)),
    Page("my work", "olga", lambda o: reverse("my-work")),
    Page("value", "gina", lambda o: reverse("value", args=[o["valued"].slug])),
    Page("value initiative", "gina", lambda o: o["valued"].get_absolute_url()),
    Page("value report form", "olga", lambda o: reverse("value-report", args=[o["valued"].slug])),
    Page("value import", "olga", lambda o: reverse("value-import", args=[o["valued"].slug])),
    Page("governance queue", "gina", lambda o: reverse("governance-queue")),
    Page("e-mails", "gina", lambda o: reverse("email-list")),
    Page("e-mail message", "gina", lambda o: reverse("email-detail", args=[o["email"].pk])),
    Page("import", "root", lambda o: reverse("initiative-import")),
    Page("profile", "tomas", lambda o: reverse("profile")),
    Page("password change", "tomas", lambda o: reverse("password-change")),
    Page("API docs", "tomas", lambda o: reverse("api-docs")),
    Page("not found", "tomas", lambda o: "/initiatives/no-such-initiative/", status=404),
    Page("forbidden", "tomas", lambda o: reverse("email-list"), status=403),
]


def by_person(pages: list[Page] = PAGES) -> dict[str | None, list[Page]]:
    """The pages grouped by who opens them, so a test signs in once per person."""
    grouped: dict[str | None, list[Page]] = {}
    for page in pages:
        grouped.setdefault(page.who, []).append(page)
    return grouped
