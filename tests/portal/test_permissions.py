"""Who may do what, page by page and endpoint by endpoint (README "Permissions").

Two tables below, one for the web UI and one for the API, give the status code every role
gets for every view and method. Each cell is one test case. A refused write must leave the
database exactly as it was; an allowed write must change it (so the "allowed" cells prove
the request really went through, not that it failed in some other way).

The arrangement (`world`), built once for the module and rolled back after it:
- `fraud-scoring` is in pilot; `contributor` is on its team, `owner` is its accepted
  production owner and `backup` its backup owner. Every initiative row targets it.
- `churn-model` is in pilot too; `nominee` is named in its pending handover (so is its
  pending production owner), and a promotion requested by `contributor` awaits review.
  The handover and promotion rows target these.
`viewer` has no part in either; `nominee` has none in `fraud-scoring`, so on it they show
that a role on another initiative gives no rights here; `reviewer` is in the governance
group; `staff` is staff and superuser; `inactive` is a deactivated account that still has
a session cookie, and must be treated as anonymous.
"""

import copy
import functools
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from initiatives.core.choices import (
    BusinessCaseStatus,
    EmailKind,
    EmailStatus,
    EventKind,
    FlagKind,
    HandoverStatus,
    PromotionStatus,
    Stage,
)
from initiatives.models import (
    ApiTokenInfo,
    EmailRecord,
    ExchangeRate,
    Flag,
    HealthReport,
    Initiative,
    MilestoneRecord,
    OwnershipConfirmation,
    OwnershipHandover,
    PromotionRequest,
    ReadinessMilestone,
)
from tests.factories import (
    AuthTokenFactory,
    BusinessCaseFactory,
    ClassificationFactory,
    EmailRecordFactory,
    FlagFactory,
    HealthReporterGrantFactory,
    HealthReportFactory,
    InitiativeEventFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    StageTransitionFactory,
    TeamMembershipFactory,
    UserFactory,
    ValueReporterGrantFactory,
)
from tests.support.api_endpoints import METHODS, api_endpoints
from tests.support.regulation import answers
from tests.support.value import production_system
from tests.support.value import report as value_report

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # what UserFactory gives everyone

ROLES = (
    "anonymous",
    "inactive",
    "viewer",
    "contributor",
    "backup",
    "owner",
    "nominee",
    "reviewer",
    "staff",
)
# The API has one more: a production system's service account, with a token (it cannot sign
# in), granted health reporting on `fraud-scoring`.
API_ROLES = (*ROLES, "machine")

# A web request from someone not signed in: 302 to /accounts/login/?next=<the path>.
LOGIN = "login"
# What the API answers someone not signed in: 401 with WWW-Authenticate: Token, since token
# authentication comes first (see test_revoked_token_is_answered_401).
API_ANON = 401


@dataclass(frozen=True)
class Bug:
    """A cell where the product does not do what the rules say: an expected failure."""

    expected: int | str
    reason: str


# --- The arrangement ------------------------------------------------------------------------


def _arrange() -> SimpleNamespace:
    now = timezone.now()
    people = {
        name: UserFactory(username=name, **extra)
        for name, extra in (
            # The names the conftest fixtures use, so those fixtures find these rows.
            ("viewer", {}),
            ("contributor", {}),
            ("owner", {}),
            ("reviewer", {"governance": True}),
            ("staff", {"is_staff": True, "is_superuser": True}),
            ("backup", {}),
            ("nominee", {}),
            ("successor", {}),  # whom the handover cells name
            ("inactive", {"is_active": False}),
        )
    }
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.PILOT,
        production_owner=people["owner"],
        owner_accepted_at=now,
        owner_confirmed_at=now,
        backup_owner=people["backup"],
        members=[people["contributor"]],
    )
    churn = InitiativeFactory(
        slug="churn-model",
        name="Churn model",
        stage=Stage.PILOT,
        production_owner=people["nominee"],
        members=[people["contributor"]],
    )
    handover = OwnershipHandoverFactory(
        initiative=churn,
        to_owner=people["nominee"],
        requested_by=people["contributor"],
        requested_at=now,
    )
    promotion = PromotionRequestFactory(
        initiative=churn, requested_by=people["contributor"], note="Ready for production."
    )
    flag = FlagFactory(initiative=initiative, kind=FlagKind.STALLED)
    # An e-mail that used up its attempts: governance may send it again.
    failed_email = EmailRecordFactory(
        dedupe_key=f"handover:0:{people['owner'].pk}",
        kind=EmailKind.HANDOVER_REQUEST,
        recipient="owner@example.org",
        recipient_user=people["owner"],
        initiative=initiative,
        status=EmailStatus.FAILED,
        attempts=16,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    StageTransitionFactory(
        initiative=initiative, from_stage=Stage.POC, to_stage=Stage.PILOT, actor=people["owner"]
    )
    InitiativeEventFactory(
        initiative=initiative,
        actor=people["owner"],
        kind=EventKind.STAGE_CHANGED,
        params={"from_stage": Stage.POC, "to_stage": Stage.PILOT},
    )
    # churn-model's business case: version 1 submitted by `contributor`, version 2 a draft.
    submitted_case = BusinessCaseFactory(
        initiative=churn,
        version=1,
        created_by=people["contributor"],
        submitted_by=people["contributor"],
        submitted_at=now,
        reviewed_at=None,
    )
    draft_case = BusinessCaseFactory(
        initiative=churn,
        version=2,
        status=BusinessCaseStatus.DRAFT,
        created_by=people["contributor"],
        reviewed_at=None,
    )
    # The team asked for `lineage` to be waived: governance may decline it.
    MilestoneRecordFactory(
        initiative=initiative,
        milestone=ReadinessMilestone.objects.get(template__is_default=True, key="lineage"),
        waiver_requested_at=now,
        waiver_requested_by=people["contributor"],
        waiver_request_reason="The data snapshot is immutable by design.",
    )
    # churn-model's EU AI Act classification, submitted by `contributor`: governance off the
    # team confirms or returns it.
    ClassificationFactory(
        initiative=churn,
        version=1,
        status="submitted",
        created_by=people["contributor"],
        reviewed_by=None,
        reviewed_at=None,
    )
    machine = UserFactory(username="machine", machine_client=True)
    machine.set_unusable_password()
    machine.save()
    HealthReporterGrantFactory(user=machine, initiative=initiative)
    machine_token = AuthTokenFactory(user=machine).key
    # A production system reporting value (Q3 2025 reported); the machine may push its value.
    valued = production_system(
        slug="value-system", owner=people["owner"], backup_owner=people["backup"]
    )
    valued.memberships.create(user=people["contributor"])
    value_report(valued, 2025, 3, revenue_protected=1000)
    ValueReporterGrantFactory(user=machine, initiative=valued)
    # One session per person, opened once: logging in costs more than most requests.
    sessions = {}
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        people=people,
        sessions=sessions,
        initiative=initiative,
        valued=valued,
        unit=initiative.business_unit,
        churn=churn,
        handover=handover,
        promotion=promotion,
        flag=flag,
        failed_email=failed_email,
        submitted_case=submitted_case,
        draft_case=draft_case,
        tokens={"machine": machine_token},
    )


@pytest.fixture(scope="module")
def _arranged(django_db_setup, django_db_blocker):
    """The arrangement, built once for the whole module (a matrix has hundreds of cells).

    It is written inside a transaction that is rolled back when the module ends; every
    test runs in its own savepoint within it (pytest-django's `db`), so what one cell
    writes is gone before the next starts.
    """
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield _arrange()
        transaction.set_rollback(True)


@pytest.fixture
def world(_arranged, db):
    """The arrangement for one test: copies, so a test may change them freely."""
    people = {name: copy.copy(user) for name, user in _arranged.people.items()}
    return SimpleNamespace(
        people=people,
        sessions=_arranged.sessions,
        initiative=copy.copy(_arranged.initiative),
        valued=copy.copy(_arranged.valued),
        unit=copy.copy(_arranged.unit),
        churn=copy.copy(_arranged.churn),
        handover=copy.copy(_arranged.handover),
        promotion=copy.copy(_arranged.promotion),
        flag=copy.copy(_arranged.flag),
        failed_email=copy.copy(_arranged.failed_email),
        submitted_case=copy.copy(_arranged.submitted_case),
        draft_case=copy.copy(_arranged.draft_case),
        tokens=_arranged.tokens,
        **{name: people[name] for name in ("contributor", "backup", "owner", "nominee")},
        successor=people["successor"],
    )


def client_as(world, role, client_class=Client):
    """A client signed in as `role` (with the session opened for the module)."""
    client = client_class()
    if role in world.tokens:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    elif role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


@functools.cache
def _snapshot_sql() -> str:
    """One query over every table of the initiatives and auth apps, history included.

    Each row comes back as (table, primary key, every column as text), so the whole
    database state a write could touch is read in one round trip; the matrix takes
    hundreds of these. Standard SQL (CAST, ||, COALESCE): SQLite and PostgreSQL alike.
    """
    qn = connection.ops.quote_name
    selects = []
    for app in ("initiatives", "auth"):
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            if model is ApiTokenInfo:
                continue  # a token's last use is recorded on any request, refused or not
            columns = " || '|' || ".join(
                f"COALESCE(CAST({qn(f.column)} AS TEXT), '-')"
                for f in model._meta.local_concrete_fields
            )
            table = model._meta.db_table
            pk = qn(model._meta.pk.column)
            # Every name here comes from model metadata, none from input.
            selects.append(f"SELECT '{table}', {pk}, {columns} FROM {qn(table)}")  # noqa: S608
    return " UNION ALL ".join(selects) + " ORDER BY 1, 2"


def snapshot() -> list[tuple]:
    """Every row a write could touch, in a form two snapshots can be compared in."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        return cursor.fetchall()


def login_redirect(path: str) -> str:
    return f"{reverse('login')}?{urlencode({'next': path}, safe='/')}"


def expand(matrix, roles=ROLES):
    """One pytest case per cell: (role, method, target, expected)."""
    for method, target, *cells in matrix:
        assert len(cells) == len(roles), f"{method} {target}: one cell per role"
        for role, cell in zip(roles, cells, strict=True):
            marks = ()
            if isinstance(cell, Bug):
                marks = pytest.mark.xfail(strict=True, raises=AssertionError, reason=cell.reason)
                cell = cell.expected
            yield pytest.param(
                role, method, target, cell, id=f"{method} {target} as {role}", marks=marks
            )


# --- Web UI ---------------------------------------------------------------------------------


def _fraud(w):
    return {"slug": w.initiative.slug}


def _handover(w):
    return {"pk": w.handover.pk}


def _promotion(w):
    return {"pk": w.promotion.pk}


def _none(w):
    return {}


def _flag(w):
    return {"pk": w.flag.pk}


def _email(w):
    return {"pk": w.failed_email.pk}


def _inventory_csv(w):
    content = f"name,business_unit,stage\nInvoice matching,{w.unit.name},idea\n".encode()
    return {"file": SimpleUploadedFile("inventory.csv", content, content_type="text/csv")}


def _valued(w):
    return {"slug": w.valued.slug}


def _value_csv(w):
    content = b"year,quarter,revenue_protected\n2025,4,1000\n"
    return {"file": SimpleUploadedFile("value.csv", content, content_type="text/csv")}


# target: (url name, url kwargs, POST data). "name#variant" is the same page, other data.
WEB_TARGETS = {
    "login": ("login", _none, None),
    "portfolio": ("portfolio", _none, None),
    "api-docs": ("api-docs", _none, None),
    "email-list": ("email-list", _none, None),
    "email-send-again": ("email-send-again", _email, _none),
    "email-detail": ("email-detail", _email, None),
    "initiative-export": ("initiative-export", _none, None),
    "initiative-export-for-import": ("initiative-export-for-import", _none, None),
    "readiness": ("readiness", _fraud, None),
    "frameworks": ("frameworks", _none, None),
    "initiative-frameworks": ("initiative-frameworks", _fraud, None),
    "evidence-pack": ("evidence-pack", _fraud, None),
    "evidence-pack#post": ("evidence-pack", _fraud, _none),
    "evidence-pack-pdf": ("evidence-pack-pdf", _fraud, None),
    "milestone": (
        "milestone",
        lambda w: {"slug": w.initiative.slug, "key": "runbook"},
        lambda w: {"action": "update", "status": "in_progress", "evidence_url": ""},
    ),
    "milestone#waive": (
        "milestone",
        lambda w: {"slug": w.initiative.slug, "key": "runbook"},
        lambda w: {"action": "waive", "justification": "Covered by the platform team."},
    ),
    "business-case-list": ("business-case-list", _fraud, None),
    "business-case-create": ("business-case-create", _fraud, None),
    "initiative-list": ("initiative-list", _none, None),
    "people-search": ("people-search", _none, None),
    "initiative-detail": ("initiative-detail", _fraud, None),
    "initiative-create": (
        "initiative-create",
        _none,
        lambda w: {
            "name": "Invoice matching",
            "slug": "invoice-matching",
            "business_unit": w.unit.pk,
            "risk_tier": "medium",
        },
    ),
    "initiative-edit": (
        "initiative-edit",
        _fraud,
        lambda w: {
            "name": "Fraud scoring v2",
            "summary": "Sharper.",
            "business_unit": w.unit.pk,
            "risk_tier": "high",
            "team_members": [w.contributor.pk],
        },
    ),
    "initiative-transition": (
        "initiative-transition",
        _fraud,
        lambda w: {"to_stage": Stage.POC, "note": "Incident: back to POC."},
    ),
    "initiative-handover": (
        "initiative-handover",
        _fraud,
        lambda w: {"to_owner": w.successor.pk, "note": "Moving teams."},
    ),
    "initiative-confirm-ownership": ("initiative-confirm-ownership", _fraud, _none),
    "initiative-promotion": (
        "initiative-promotion",
        _fraud,
        lambda w: {"note": "Ready for production."},
    ),
    "handover-answer#accept": (
        "handover-answer",
        _handover,
        lambda w: {
            "decision": "accept",
            "confirms_skills": "on",
            "confirms_mandate": "on",
            "confirms_budget": "on",
        },
    ),
    "handover-answer#decline": (
        "handover-answer",
        _handover,
        lambda w: {"decision": "decline", "note": "No budget this year."},
    ),
    "promotion-review": (
        "promotion-review",
        _promotion,
        lambda w: {"decision": "approve", "comment": "Ready."},
    ),
    "initiative-import": ("initiative-import", _none, _inventory_csv),
    "value": ("value", _valued, None),
    "value-report": (
        "value-report",
        _valued,
        lambda w: {"quarter": "2025-Q4", "currency": "EUR", "revenue_protected": "1,000"},
    ),
    "value-import": ("value-import", _valued, _value_csv),
    "classification": (
        "classification",
        _fraud,
        lambda w: {**answers(role="deployer"), "action": "submit"},
    ),
    "classification-version": (
        "classification-version",
        lambda w: {"slug": w.churn.slug, "version": 1},
        lambda w: {"decision": "confirm", "comment": ""},
    ),
}

L = LOGIN
# fmt: off
WEB_MATRIX = [
    # method   target                           anon inac view cont back ownr nomi revw staf
    ("GET",    "login",                         200, 200, 302, 302, 302, 302, 302, 302, 302),
    ("GET",    "portfolio",                     L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "initiative-list",               L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "people-search",                 L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "api-docs",                      L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "email-list",                    L,   L,   403, 403, 403, 403, 403, 200, 200),
    ("GET",    "email-send-again",              L,   L,   405, 405, 405, 405, 405, 405, 405),
    ("GET",    "email-detail",                  L,   L,   403, 403, 403, 403, 403, 200, 200),
    ("GET",    "initiative-export",             L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "initiative-export-for-import",  L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "email-send-again",              L,   L,   403, 403, 403, 403, 403, 302, 302),
    ("GET",    "readiness",                     L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "milestone",                     L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "frameworks",                    L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "initiative-frameworks",         L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "evidence-pack",                 L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "evidence-pack#post",            L,   L,   405, 405, 405, 405, 405, 405, 405),
    ("GET",    "evidence-pack-pdf",             L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "milestone",                     L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("POST",   "milestone#waive",               L,   L,   403, 403, 403, 403, 403, 302, 302),
    ("GET",    "business-case-list",            L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "business-case-create",          L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("GET",    "initiative-detail",             L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "initiative-create",             L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "initiative-create",             L,   L,   302, 302, 302, 302, 302, 302, 302),
    ("GET",    "initiative-edit",               L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("POST",   "initiative-edit",               L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "initiative-transition",         L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("POST",   "initiative-transition",         L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "initiative-handover",           L,   L,   403, 200, 200, 200, 403, 200, 200),
    ("POST",   "initiative-handover",           L,   L,   403, 302, 302, 302, 403, 302, 302),
    ("GET",    "initiative-confirm-ownership",  L,   L,   405, 405, 405, 405, 405, 405, 405),
    ("POST",   "initiative-confirm-ownership",  L,   L,   403, 403, 403, 302, 403, 403, 403),
    ("GET",    "initiative-promotion",          L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("POST",   "initiative-promotion",          L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "handover-answer#accept",        L,   L,   403, 403, 403, 403, 200, 403, 403),
    ("POST",   "handover-answer#accept",        L,   L,   403, 403, 403, 403, 302, 403, 403),
    ("POST",   "handover-answer#decline",       L,   L,   403, 403, 403, 403, 302, 403, 403),
    ("GET",    "promotion-review",              L,   L,   403, 403, 403, 403, 403, 200, 200),
    ("POST",   "promotion-review",              L,   L,   403, 403, 403, 403, 403, 302, 302),
    ("GET",    "initiative-import",             L,   L,   403, 403, 403, 403, 403, 403, 200),
    ("POST",   "initiative-import",             L,   L,   403, 403, 403, 403, 403, 403, 302),
    ("GET",    "value",                         L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("GET",    "value-report",                  L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("POST",   "value-report",                  L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "value-import",                  L,   L,   403, 200, 200, 200, 403, 403, 200),
    ("POST",   "value-import",                  L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "classification",                L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "classification",                L,   L,   403, 302, 302, 302, 403, 403, 302),
    ("GET",    "classification-version",        L,   L,   200, 200, 200, 200, 200, 200, 200),
    ("POST",   "classification-version",        L,   L,   403, 403, 403, 403, 403, 302, 302),
]
# fmt: on


@pytest.mark.parametrize(("role", "method", "target", "expected"), list(expand(WEB_MATRIX)))
def test_web_page_answers_each_role_as_the_rules_say(world, role, method, target, expected):
    url_name, url_kwargs, data = WEB_TARGETS[target]
    client = client_as(world, role)
    path = reverse(url_name, kwargs=url_kwargs(world))
    before = snapshot() if method != "GET" else None

    response = client.get(path) if method == "GET" else client.post(path, data(world))

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == login_redirect(path)
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("login"))
    if method != "GET":
        if expected in (LOGIN, 403, 405):
            assert snapshot() == before, "a refused write changed the database"
        else:
            assert snapshot() != before, "an allowed write changed nothing"


def test_sign_in_page_works_for_an_active_user_and_refuses_a_deactivated_one(viewer):
    UserFactory(username="gone", is_active=False)
    client = Client()

    refused = client.post(reverse("login"), {"username": "gone", "password": PASSWORD})
    assert refused.status_code == 200  # the form again, with an error
    assert client.get(reverse("portfolio")).status_code == 302

    signed_in = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(reverse("portfolio")).status_code == 200


def test_anonymous_cannot_tell_an_existing_initiative_from_a_missing_one(world):
    client = Client()
    for slug in (world.initiative.slug, "no-such-initiative"):
        path = reverse("initiative-detail", kwargs={"slug": slug})
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == login_redirect(path)


def test_web_form_posted_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.contributor)
    before = snapshot()
    response = client.post(
        reverse("initiative-transition", kwargs={"slug": world.initiative.slug}),
        {"to_stage": Stage.POC, "note": "Incident."},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_admin_is_for_staff_only(world, viewer, staff):
    admin = reverse("admin:index")
    admin_login = f"{reverse('admin:login')}?{urlencode({'next': admin}, safe='/')}"
    assert Client().get(admin)["Location"] == admin_login
    viewer_client = Client()
    viewer_client.force_login(viewer)
    assert viewer_client.get(admin)["Location"] == admin_login
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(admin).status_code == 200


@pytest.mark.parametrize(
    ("role", "removes"),
    [
        ("anonymous", False),
        ("viewer", False),
        ("contributor", False),
        ("owner", False),
        ("reviewer", False),
        ("inactive", False),
        ("staff", True),
    ],
)
def test_only_staff_allowed_to_delete_reports_remove_a_health_report(world, role, removes):
    report = HealthReportFactory(
        initiative=world.initiative, observed_at=timezone.now(), availability=50.0
    )
    client_as(world, role).post(
        reverse("admin:initiatives_healthreport_changelist"),
        {
            "action": "remove_reports",
            "_selected_action": [report.pk],
            "apply": "Remove",
            "reason": "A broken probe.",
        },
    )
    assert HealthReport.objects.filter(pk=report.pk).exists() != removes


@pytest.mark.parametrize(
    ("role", "enters"),
    [
        ("anonymous", False),
        ("viewer", False),
        ("contributor", False),
        ("owner", False),
        ("reviewer", False),
        ("inactive", False),
        ("staff", True),
    ],
)
def test_only_staff_allowed_to_add_exchange_rates_enter_one(world, role, enters):
    client_as(world, role).post(
        reverse("admin:initiatives_exchangerate_add"),
        {"currency": "USD", "rate": "0.9", "valid_from": "2026-06-01", "note": ""},
    )
    assert ExchangeRate.objects.filter(currency="USD").exists() == enters


def test_staff_who_may_only_view_exchange_rates_cannot_enter_one(world):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="rates-clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_exchangerate"))
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("admin:initiatives_exchangerate_changelist")).status_code == 200
    response = client.post(
        reverse("admin:initiatives_exchangerate_add"),
        {"currency": "USD", "rate": "0.9", "valid_from": "2026-06-01", "note": ""},
    )
    assert response.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_staff_who_may_only_view_health_reports_cannot_remove_one(world):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_healthreport"))
    report = HealthReportFactory(
        initiative=world.initiative, observed_at=timezone.now(), availability=50.0
    )
    client = Client()
    client.force_login(clerk)
    changelist = reverse("admin:initiatives_healthreport_changelist")
    assert client.get(changelist).status_code == 200
    assert "remove_reports" not in client.get(changelist).content.decode()
    client.post(
        changelist,
        {
            "action": "remove_reports",
            "_selected_action": [report.pk],
            "apply": "Remove",
            "reason": "A broken probe.",
        },
    )
    assert HealthReport.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize(
    ("is_superuser", "expected"), [(False, 403), (True, 302)], ids=["staff", "administrator"]
)
def test_only_administrators_may_import(world, is_superuser, expected):
    """The matrix's `staff` role is a superuser; a staff member who is not one may use the
    admin site but not the import, which records owners as having accepted."""
    operator = UserFactory(username="operator", is_staff=True, is_superuser=is_superuser)
    client = Client()
    client.force_login(operator)
    path = reverse("initiative-import")
    before = snapshot()

    assert client.get(path).status_code == (200 if is_superuser else 403)
    assert client.post(path, _inventory_csv(world)).status_code == expected
    assert (snapshot() != before) is is_superuser


# --- API ------------------------------------------------------------------------------------


def _api_fraud(w):
    return {"slug": w.initiative.slug}


API_TARGETS = {
    "api-root": ("api:api-root", _none, None),
    "portfolio": ("api:portfolio", _none, None),
    "initiative-list": ("api:initiative-list", _none, None),
    "initiative-list#create": (
        "api:initiative-list",
        _none,
        lambda w: {
            "name": "Invoice matching",
            "slug": "invoice-matching",
            "business_unit": w.unit.name,
        },
    ),
    "initiative-detail": ("api:initiative-detail", _api_fraud, None),
    "initiative-detail#put": (
        "api:initiative-detail",
        _api_fraud,
        lambda w: {
            "name": "Fraud scoring v2",
            "summary": "Sharper.",
            "business_unit": w.unit.name,
            "sponsor": None,
            "risk_tier": "high",
            "target_production_date": None,
            "team_members": [w.contributor.username],
        },
    ),
    "initiative-detail#patch": (
        "api:initiative-detail",
        _api_fraud,
        lambda w: {"risk_tier": "high"},
    ),
    "initiative-transition": (
        "api:initiative-transition",
        _api_fraud,
        lambda w: {"to_stage": Stage.POC, "note": "Incident: back to POC."},
    ),
    "initiative-transitions": ("api:initiative-transitions", _api_fraud, None),
    "initiative-handover": (
        "api:initiative-handover",
        _api_fraud,
        lambda w: {"to_owner": w.successor.username, "note": "Moving teams."},
    ),
    "initiative-confirm-ownership": ("api:initiative-confirm-ownership", _api_fraud, _none),
    "initiative-promotion-request": (
        "api:initiative-promotion-request",
        _api_fraud,
        lambda w: {"note": "Ready for production."},
    ),
    "initiative-events": ("api:initiative-events", _api_fraud, None),
    "handover-list": ("api:handover-list", _none, None),
    "handover-detail": ("api:handover-detail", _handover, None),
    "handover-accept": (
        "api:handover-accept",
        _handover,
        lambda w: {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True},
    ),
    "handover-decline": (
        "api:handover-decline",
        _handover,
        lambda w: {"note": "No budget this year."},
    ),
    "flag-list": ("api:flag-list", _none, None),
    "health-list": ("api:health-list", lambda w: {"initiative_slug": w.initiative.slug}, None),
    "health-reports": (
        "api:health-reports",
        lambda w: {"initiative_slug": w.initiative.slug},
        lambda w: {"observed_at": "2026-01-01T00:00:00Z", "availability": 99.9},
    ),
    "readiness-list": (
        "api:readiness-list",
        lambda w: {"initiative_slug": w.initiative.slug},
        None,
    ),
    "evidence-pack-list": (
        "api:evidence-pack-list",
        lambda w: {"initiative_slug": w.initiative.slug},
        None,
    ),
    "readiness-detail": (
        "api:readiness-detail",
        lambda w: {"initiative_slug": w.initiative.slug, "key": "runbook"},
        lambda w: {"status": "in_progress"},
    ),
    "business-case-list": (
        "api:business-case-list",
        lambda w: {"initiative_slug": w.initiative.slug},
        lambda w: {"currency": "EUR", "revenue_protected": "1000"},
    ),
    "flag-detail": ("api:flag-detail", _flag, None),
    "email-list": ("api:email-list", _none, None),
    "email-detail": ("api:email-detail", _email, None),
    "email-send-again": ("api:email-send-again", _email, _none),
    "promotion-request-list": ("api:promotion-request-list", _none, None),
    "promotion-request-detail": ("api:promotion-request-detail", _promotion, None),
    "promotion-request-review": (
        "api:promotion-request-review",
        _promotion,
        lambda w: {"decision": "approve", "comment": "Ready."},
    ),
    "api-schema": ("api-schema", _none, None),
    "classification": (
        "api:classification",
        _api_fraud,
        lambda w: {"answers": answers(role="deployer")},
    ),
    "classification-confirm": (
        "api:classification-confirm",
        lambda w: {"slug": w.churn.slug, "version": 1},
        lambda w: {"comment": "Agreed."},
    ),
    "classification-return": (
        "api:classification-return",
        lambda w: {"slug": w.churn.slug, "version": 1},
        lambda w: {"comment": "Say whether it chats with customers."},
    ),
    "regulation-questions": ("api:regulation-questions", _none, None),
}


def _churn_case(version):
    return lambda w: {"initiative_slug": w.churn.slug, "version": version}


API_TARGETS.update(
    {
        "business-case-detail": ("api:business-case-detail", _churn_case(2), None),
        "business-case-detail#put": (
            "api:business-case-detail",
            _churn_case(2),
            lambda w: {
                "currency": "EUR",
                "revenue_protected": "120000.00",
                "revision": w.draft_case.revision,
            },
        ),
        "business-case-detail#patch": (
            "api:business-case-detail",
            _churn_case(2),
            lambda w: {"costs_reduced": "60000.00", "revision": w.draft_case.revision},
        ),
        "business-case-submit": ("api:business-case-submit", _churn_case(2), _none),
        "business-case-review": (
            "api:business-case-review",
            _churn_case(1),
            lambda w: {"decision": "approve", "comment": "Figures check out."},
        ),
        "readiness-waive": (
            "api:readiness-waive",
            lambda w: {"initiative_slug": w.initiative.slug, "key": "runbook"},
            lambda w: {"justification": "Covered by the platform team."},
        ),
        "readiness-waiver-request": (
            "api:readiness-waiver-request",
            lambda w: {"initiative_slug": w.initiative.slug, "key": "runbook"},
            lambda w: {"reason": "The platform team's runbook covers this system."},
        ),
        "readiness-decline-waiver": (
            "api:readiness-decline-waiver",
            lambda w: {"initiative_slug": w.initiative.slug, "key": "lineage"},
            lambda w: {"comment": "Snapshots still need recording."},
        ),
        "value-report-list": (
            "api:value-report-list",
            lambda w: {"initiative_slug": w.valued.slug},
            lambda w: {"year": 2025, "quarter": 4, "revenue_protected": "1000"},
        ),
        "value-report-detail": (
            "api:value-report-detail",
            lambda w: {"initiative_slug": w.valued.slug, "quarter_label": "2025-Q3"},
            lambda w: {"team_cost": "10"},
        ),
        "initiative-value": (
            "api:initiative-value",
            lambda w: {"initiative_slug": w.valued.slug},
            None,
        ),
        "portfolio-value": ("api:portfolio-value", _none, None),
    }
)

A = API_ANON
# fmt: off
API_MATRIX = [
    # method   target                           anon inac view cont back ownr nomi revw staf mach
    ("GET",    "api-root",                      A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "portfolio",                     A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "initiative-list",               A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "initiative-list#create",        A,   A,   201, 201, 201, 201, 201, 201, 201, 403),
    ("GET",    "initiative-detail",             A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("PUT",    "initiative-detail#put",         A,   A,   403, 200, 200, 200, 403, 403, 200, 403),
    ("PATCH",  "initiative-detail#patch",       A,   A,   403, 200, 200, 200, 403, 403, 200, 403),
    ("DELETE", "initiative-detail",             A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    ("GET",    "initiative-transition",         A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    ("POST",   "initiative-transition",         A,   A,   403, 201, 201, 201, 403, 403, 201, 403),
    ("GET",    "initiative-transitions",        A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "initiative-handover",           A,   A,   403, 201, 201, 201, 403, 201, 201, 403),
    ("POST",   "initiative-confirm-ownership",  A,   A,   403, 403, 403, 201, 403, 403, 403, 403),
    ("POST",   "initiative-promotion-request",  A,   A,   403, 201, 201, 201, 403, 403, 201, 403),
    ("GET",    "initiative-events",             A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "handover-list",                 A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "handover-detail",               A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("PUT",    "handover-detail",               A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    ("DELETE", "handover-detail",               A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    ("POST",   "handover-accept",               A,   A,   403, 403, 403, 403, 200, 403, 403, 403),
    ("POST",   "handover-decline",              A,   A,   403, 403, 403, 403, 200, 403, 403, 403),
    ("GET",    "flag-list",                     A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "health-list",                   A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "health-reports",                A,   A,   403, 403, 403, 403, 403, 403, 201, 201),
    ("GET",    "readiness-list",                A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("PATCH",  "readiness-detail",              A,   A,   403, 200, 200, 200, 403, 403, 200, 403),
    ("GET",    "evidence-pack-list",            A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "readiness-waive",               A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("POST",   "readiness-waiver-request",      A,   A,   403, 200, 200, 200, 403, 403, 200, 403),
    ("POST",   "readiness-decline-waiver",      A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("GET",    "business-case-list",            A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "business-case-list",            A,   A,   403, 201, 201, 201, 403, 403, 201, 403),
    ("GET",    "business-case-detail",          A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("PUT",    "business-case-detail#put",      A,   A,   403, 200, 403, 403, 403, 403, 200, 403),
    ("PATCH",  "business-case-detail#patch",    A,   A,   403, 200, 403, 403, 403, 403, 200, 403),
    ("POST",   "business-case-submit",          A,   A,   403, 200, 403, 403, 403, 403, 200, 403),
    ("POST",   "business-case-review",          A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("GET",    "flag-detail",                   A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("DELETE", "flag-detail",                   A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    # The outbox is governance's: others are refused before the method is looked at.
    ("GET",    "email-list",                    A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("POST",   "email-list",                    A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("PUT",    "email-list",                    A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("PATCH",  "email-list",                    A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("DELETE", "email-list",                    A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("GET",    "email-detail",                  A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("POST",   "email-detail",                  A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("PUT",    "email-detail",                  A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("PATCH",  "email-detail",                  A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("DELETE", "email-detail",                  A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("GET",    "email-send-again",              A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("POST",   "email-send-again",              A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("PUT",    "email-send-again",              A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("PATCH",  "email-send-again",              A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("DELETE", "email-send-again",              A,   A,   403, 403, 403, 403, 403, 405, 405, 403),
    ("GET",    "promotion-request-list",        A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "promotion-request-detail",      A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("DELETE", "promotion-request-detail",      A,   A,   405, 405, 405, 405, 405, 405, 405, 403),
    ("POST",   "promotion-request-review",      A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("GET",    "api-schema",                    A,   A,   200, 200, 200, 200, 200, 200, 200, 200),
    # Value: the team reports and corrects; a client granted value reporting pushes only.
    ("GET",    "value-report-list",             A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "value-report-list",             A,   A,   403, 201, 201, 201, 403, 403, 201, 201),
    ("GET",    "value-report-detail",           A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("PATCH",  "value-report-detail",           A,   A,   403, 200, 200, 200, 403, 403, 200, 200),
    ("GET",    "initiative-value",              A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "portfolio-value",               A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("GET",    "classification",                A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
    ("POST",   "classification",                A,   A,   403, 201, 201, 201, 403, 403, 201, 403),
    ("POST",   "classification-confirm",        A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("POST",   "classification-return",         A,   A,   403, 403, 403, 403, 403, 200, 200, 403),
    ("GET",    "regulation-questions",          A,   A,   200, 200, 200, 200, 200, 200, 200, 403),
]
# fmt: on


def _not_allowed_rows():
    """A row for every method an endpoint does not answer: 405 for everyone signed in (a
    machine client is refused first, 403), 401 for the anonymous. Written out here rather
    than by hand, so a new endpoint gets them without anyone remembering to."""
    written = {(method, API_TARGETS[target][0]) for method, target, *_ in API_MATRIX}
    first_target = {}
    for target, (url_name, *_) in API_TARGETS.items():
        first_target.setdefault(url_name, target.split("#")[0])
    for endpoint in api_endpoints():
        for method in METHODS:
            if method in endpoint.methods or (method, endpoint.name) in written:
                continue
            yield (method, first_target[endpoint.name], A, A, *[405] * 7, 403)


API_MATRIX_COMPLETE = [*API_MATRIX, *_not_allowed_rows()]


def test_api_matrix_has_a_row_for_every_endpoint_and_method():
    """Driven by the URL resolver: a new endpoint, or a new method on one, fails here until
    its row says what every role gets."""
    written = {(method, API_TARGETS[target][0]) for method, target, *_ in API_MATRIX_COMPLETE}
    missing = [
        f"{method} {endpoint.name}"
        for endpoint in api_endpoints()
        for method in METHODS
        if (method, endpoint.name) not in written
    ]
    assert missing == []
    answered = [
        f"{method} {endpoint.name}"
        for endpoint in api_endpoints()
        for method in endpoint.methods
        if not any(
            row[0] == method and API_TARGETS[row[1]][0] == endpoint.name for row in API_MATRIX
        )
    ]
    assert answered == [], "every method an endpoint answers needs a hand-written row"


def api_call(client: APIClient, method: str, path: str, data=None):
    return getattr(client, method.lower())(path, data, format="json")


@pytest.mark.parametrize(
    ("role", "method", "target", "expected"),
    list(expand(API_MATRIX_COMPLETE, API_ROLES)),
)
def test_api_endpoint_answers_each_role_as_the_rules_say(world, role, method, target, expected):
    url_name, url_kwargs, data = API_TARGETS[target]
    payload = data(world) if data else None
    client = client_as(world, role, APIClient)
    path = reverse(url_name, kwargs=url_kwargs(world))
    before = snapshot() if method != "GET" else None

    response = api_call(client, method, path, payload)

    assert response.status_code == expected, getattr(response, "data", response)
    if expected in (401, 403, 405) and target != "api-schema":
        # Refusals are JSON with a "detail", for anonymous callers and signed-in ones alike
        # (the schema answers in the format it serves, YAML by default).
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
    if method != "GET":
        if expected in (401, 403, 405):
            assert snapshot() == before, "a refused write changed the database"
        else:
            assert snapshot() != before, "an allowed write changed nothing"


@pytest.mark.parametrize(
    "url_name",
    ["api:initiative-list", "api:handover-list", "api:promotion-request-list"],
)
@pytest.mark.parametrize("query", ["", "?stage=pilot", "?format=json", "?page_size=200"])
def test_api_lists_show_nothing_to_anonymous(world, url_name, query):
    response = APIClient().get(reverse(url_name) + query)
    assert response.status_code == API_ANON
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert world.initiative.slug.encode() not in response.content


def test_anonymous_api_cannot_tell_an_existing_initiative_from_a_missing_one(world):
    client = APIClient()
    answers = {
        slug: client.get(reverse("api:initiative-detail", kwargs={"slug": slug}))
        for slug in (world.initiative.slug, "no-such-initiative")
    }
    assert {r.status_code for r in answers.values()} == {API_ANON}
    assert answers[world.initiative.slug].json() == answers["no-such-initiative"].json()


# --- Tokens ---------------------------------------------------------------------------------


def token_client(user) -> tuple[APIClient, AuthToken]:
    instance = AuthTokenFactory(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {instance.key}")
    return client, instance


def test_token_reads_and_acts_with_its_owners_rights(world, viewer):
    owner_client, _ = token_client(world.owner)
    viewer_client, _ = token_client(viewer)
    detail = reverse("api:initiative-detail", kwargs={"slug": world.initiative.slug})
    confirm = reverse("api:initiative-confirm-ownership", kwargs={"slug": world.initiative.slug})

    assert viewer_client.get(reverse("api:initiative-list")).status_code == 200
    assert viewer_client.get(detail).json()["slug"] == world.initiative.slug
    before = snapshot()
    assert viewer_client.patch(detail, {"risk_tier": "high"}, format="json").status_code == 403
    assert viewer_client.post(confirm, {}, format="json").status_code == 403
    assert snapshot() == before
    # A token client sends no CSRF token; it needs none.
    assert owner_client.post(confirm, {}, format="json").status_code == 201
    assert OwnershipConfirmation.objects.filter(owner=world.owner, channel="api").exists()


def test_revoked_token_is_refused_and_sees_nothing(world, viewer):
    client, instance = token_client(viewer)
    assert client.get(reverse("api:initiative-list")).status_code == 200
    instance.delete()

    response = client.get(reverse("api:initiative-list"))

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}
    assert world.initiative.slug.encode() not in response.content
    before = snapshot()
    patch = client.patch(
        reverse("api:initiative-detail", kwargs={"slug": world.initiative.slug}),
        {"risk_tier": "high"},
        format="json",
    )
    assert patch.status_code in (401, 403)
    assert snapshot() == before


def test_revoked_token_is_answered_401(viewer):
    client, instance = token_client(viewer)
    instance.delete()
    response = client.get(reverse("api:initiative-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_token_of_a_deactivated_user_is_refused(world):
    gone = UserFactory(username="gone", is_active=False)
    client, _ = token_client(gone)
    response = client.get(reverse("api:initiative-list"))
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}
    assert world.initiative.slug.encode() not in response.content


def test_api_session_write_without_csrf_token_is_refused(world):
    client = client_as(world, "contributor", lambda: APIClient(enforce_csrf_checks=True))
    before = snapshot()
    response = client.post(
        reverse("api:initiative-transition", kwargs={"slug": world.initiative.slug}),
        {"to_stage": Stage.POC, "note": "Incident."},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert snapshot() == before


# --- Rules that depend on state, not only on the role -------------------------------------


def test_reviewer_never_reviews_their_own_promotion_request(world):
    reviewer = world.people["reviewer"]
    world.promotion.requested_by = reviewer
    world.promotion.save()
    TeamMembershipFactory(initiative=world.churn, user=reviewer)
    before = snapshot()

    web = client_as(world, "reviewer")
    path = reverse("promotion-review", kwargs={"pk": world.promotion.pk})
    page = web.get(path)  # the request, read-only, and who decides: no dead end
    assert page.status_code == 200
    assert "You requested this promotion; another governance reviewer" in page.content.decode()
    assert web.post(path, {"decision": "approve"}).status_code == 403
    api = client_as(world, "reviewer", APIClient)
    review = reverse("api:promotion-request-review", kwargs={"pk": world.promotion.pk})
    assert api.post(review, {"decision": "approve"}, format="json").status_code == 403

    assert snapshot() == before


def test_owner_whose_handover_is_pending_cannot_confirm_ownership_yet(world):
    before = snapshot()
    path = reverse("initiative-confirm-ownership", kwargs={"slug": world.churn.slug})
    assert client_as(world, "nominee").post(path).status_code == 403
    confirm = reverse("api:initiative-confirm-ownership", kwargs={"slug": world.churn.slug})
    api = client_as(world, "nominee", APIClient)
    assert api.post(confirm, {}, format="json").status_code == 403
    assert snapshot() == before


def test_answered_handover_cannot_be_answered_again(world):
    api = client_as(world, "nominee", APIClient)
    accept = reverse("api:handover-accept", kwargs={"pk": world.handover.pk})
    decline = reverse("api:handover-decline", kwargs={"pk": world.handover.pk})
    yes = {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True}
    assert api.post(accept, yes, format="json").status_code == 200
    world.handover.refresh_from_db()
    assert world.handover.status == HandoverStatus.ACCEPTED
    before = snapshot()

    # 409 with the reason, not a bare 403: the nominee may answer, the handover is done.
    again = api.post(accept, yes, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "This handover is already accepted."}
    assert api.post(decline, {"note": "Changed my mind."}, format="json").status_code == 409
    page = reverse("handover-answer", kwargs={"pk": world.handover.pk})
    # The page says plainly that it was answered already (410), rather than "forbidden".
    answered = client_as(world, "nominee").get(page)
    assert answered.status_code == 410
    assert "You have already accepted this handover" in answered.content.decode()
    assert client_as(world, "nominee").post(page, {"action": "decline"}).status_code == 410
    assert snapshot() == before


def test_reviewed_promotion_cannot_be_reviewed_again(world):
    review = reverse("api:promotion-request-review", kwargs={"pk": world.promotion.pk})
    first = client_as(world, "reviewer", APIClient).post(
        review, {"decision": "approve"}, format="json"
    )
    assert first.status_code == 200
    world.promotion.refresh_from_db()
    assert world.promotion.status == PromotionStatus.APPROVED
    before = snapshot()

    again = client_as(world, "staff", APIClient).post(
        review, {"decision": "reject", "comment": "No."}, format="json"
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "This promotion request is already approved."}
    page = reverse("promotion-review", kwargs={"pk": world.promotion.pk})
    # The page shows the decision read-only (it answered 403, a dead end, before).
    read = client_as(world, "reviewer").get(page)
    assert read.status_code == 200
    assert "Approved</strong> by" in read.content.decode()
    assert client_as(world, "staff").post(page, {"decision": "reject"}).status_code == 409
    assert snapshot() == before


# --- Separation of duties: a governance decision is a second pair of eyes --------------------
# Each decision, by a governance reviewer (`reviewer`) and by a superuser (`staff`) standing
# in each relation to what is decided. Superusers may do everything else, but not decide
# their own work. Every refusal says who decides instead, in the API and on the page.


def _make_author(w, user):
    """`user` wrote churn-model's submitted version 1 (a teammate submitted it)."""
    type(w.submitted_case).objects.filter(pk=w.submitted_case.pk).update(created_by=user)


def _make_editor(w, user):
    """`user` saved the draft of version 1 before the contributor submitted it: a row in the
    version's history, as the draft form's save writes it."""
    saved = w.submitted_case.history.earliest()
    saved.history_id = None
    saved.status = BusinessCaseStatus.DRAFT
    saved.history_user = user
    saved.history_type = "~"
    saved.history_change_reason = "Draft saved"
    saved.save()


def _make_submitter(w, user):
    type(w.submitted_case).objects.filter(pk=w.submitted_case.pk).update(submitted_by=user)


def _join_churn(w, user):
    TeamMembershipFactory(initiative=w.churn, user=user)


def _join_fraud(w, user):
    TeamMembershipFactory(initiative=w.initiative, user=user)


def _make_requester(w, user):
    """`user` requested churn-model's promotion (and is not, or no longer, on its team)."""
    PromotionRequest.objects.filter(pk=w.promotion.pk).update(requested_by=user)


def _make_asker(w, user):
    """`user` asked for fraud-scoring's `lineage` waiver (and is not on its team)."""
    MilestoneRecord.objects.filter(initiative=w.initiative, milestone__key="lineage").update(
        waiver_requested_by=user
    )


def _nothing(w, user):
    pass


_CASE = ("api:business-case-review", lambda w: {"initiative_slug": w.churn.slug, "version": 1})
_PROMOTION = ("api:promotion-request-review", _promotion)
_LINEAGE = lambda w: {"initiative_slug": w.initiative.slug, "key": "lineage"}  # noqa: E731
_WAIVE = ("api:readiness-waive", _LINEAGE)
_DECLINE = ("api:readiness-decline-waiver", _LINEAGE)
_HANDOVER = ("api:initiative-handover", _api_fraud)

# The page a person refused by separation of duties lands on: it answers 200, shows what
# is decided and says who decides.
_CASE_PAGE = ("business-case-detail", lambda w: {"slug": w.churn.slug, "version": 1})
_PROMOTION_PAGE = ("promotion-review", _promotion)
_LINEAGE_PAGE = ("milestone", lambda w: {"slug": w.initiative.slug, "key": "lineage"})

SOD_DECISIONS = {
    "case review": (_CASE, _CASE_PAGE, lambda w, u: {"decision": "approve"}),
    "promotion review": (_PROMOTION, _PROMOTION_PAGE, lambda w, u: {"decision": "approve"}),
    "waiver grant": (_WAIVE, _LINEAGE_PAGE, lambda w, u: {"justification": "Not applicable."}),
    "waiver decline": (_DECLINE, _LINEAGE_PAGE, lambda w, u: {"comment": "Still needed."}),
    "name self owner": (_HANDOVER, None, lambda w, u: {"to_owner": u.username}),
    "name self backup owner": (
        _HANDOVER,
        None,
        lambda w, u: {"to_owner": w.successor.username, "backup_owner": u.username},
    ),
}
SOD_RELATIONS = {
    "created it": _make_author,
    "edited it": _make_editor,
    "submitted it": _make_submitter,
    "requested it": _make_requester,
    "asked for it": _make_asker,
    "is on churn's team": _join_churn,
    "is on fraud's team": _join_fraud,
    "is neither": _nothing,
}
# fmt: off
SOD_MATRIX = [
    # decision                 relation              revw staf
    ("case review",            "created it",         403, 403),
    ("case review",            "edited it",          403, 403),
    ("case review",            "submitted it",       403, 403),
    ("case review",            "is on churn's team", 200, 200),  # wrote nothing of it
    ("case review",            "is neither",         200, 200),
    ("promotion review",       "requested it",       403, 403),
    ("promotion review",       "is on churn's team", 403, 403),
    ("promotion review",       "is neither",         200, 200),
    ("waiver grant",           "asked for it",       403, 403),
    ("waiver grant",           "is on fraud's team", 403, 403),
    ("waiver grant",           "is neither",         200, 200),
    ("waiver decline",         "asked for it",       403, 403),
    ("waiver decline",         "is on fraud's team", 403, 403),
    ("waiver decline",         "is neither",         200, 200),
    ("name self owner",        "is on fraud's team", 201, 201),
    ("name self owner",        "is neither",         403, 403),  # superusers too
    ("name self backup owner", "is on fraud's team", 201, 201),
    ("name self backup owner", "is neither",         403, 403),
]
# fmt: on


def _sod_cells():
    for decision, relation, *cells in SOD_MATRIX:
        for role, expected in zip(("reviewer", "staff"), cells, strict=True):
            yield pytest.param(
                decision, relation, role, expected, id=f"{decision} by {role} who {relation}"
            )


def test_the_separation_of_duties_matrix_covers_every_decision():
    assert {row[0] for row in SOD_MATRIX} == set(SOD_DECISIONS)


@pytest.mark.parametrize(("decision", "relation", "role", "expected"), list(_sod_cells()))
def test_a_governance_decision_is_never_made_on_ones_own_work(
    world, decision, relation, role, expected
):
    (url_name, url_kwargs), page, body = SOD_DECISIONS[decision]
    user = world.people[role]
    SOD_RELATIONS[relation](world, user)
    before = snapshot()

    response = api_call(
        client_as(world, role, APIClient),
        "POST",
        reverse(url_name, kwargs=url_kwargs(world)),
        body(world, user),
    )

    assert response.status_code == expected, response.json()
    if expected != 403:
        assert snapshot() != before
        return
    assert snapshot() == before, "a refused decision changed the database"
    detail = response.json()["detail"]
    if page is None:  # naming oneself: whom they may name instead
        assert "not yourself" in detail
        return
    assert "another governance reviewer who" in detail
    # On the page: the thing decided, read-only, with the same explanation; never a 403.
    page_name, page_kwargs = page
    shown = client_as(world, role).get(reverse(page_name, kwargs=page_kwargs(world)))
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Another reviewer decides." in text
    assert 'value="waive"' not in text
    assert "Record review" not in text


# --- The API refuses before it validates ----------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "kwargs", "body"),
    [
        ("api:initiative-detail", _api_fraud, {"risk_tier": "extreme"}),
        ("api:initiative-transition", _api_fraud, {"to_stage": "moon"}),
        ("api:initiative-handover", _api_fraud, {"to_owner": "nobody-by-this-name"}),
        ("api:handover-accept", _handover, {}),
        ("api:promotion-request-review", _promotion, {"decision": "maybe"}),
    ],
    ids=["patch", "transition", "handover", "accept", "review"],
)
def test_api_refuses_a_viewer_before_looking_at_the_body(world, url_name, kwargs, body):
    method = "PATCH" if url_name == "api:initiative-detail" else "POST"
    client = client_as(world, "viewer", APIClient)
    before = snapshot()
    response = api_call(client, method, reverse(url_name, kwargs=kwargs(world)), body)
    assert snapshot() == before
    assert response.status_code == 403, response.json()


# --- Lists show what single objects show ----------------------------------------------------

# Each list, and how to address one of its items by itself. Every signed-in person may read
# every initiative and what hangs off it (PRODUCT §1, viewer); a machine client reads nothing.
LISTS = {
    "api:initiative-list": (_none, lambda item: ("api:initiative-detail", {"slug": item["slug"]})),
    "api:handover-list": (_none, lambda item: ("api:handover-detail", {"pk": item["id"]})),
    "api:flag-list": (_none, lambda item: ("api:flag-detail", {"pk": item["id"]})),
    "api:promotion-request-list": (
        _none,
        lambda item: ("api:promotion-request-detail", {"pk": item["id"]}),
    ),
    "api:business-case-list": (
        lambda w: {"initiative_slug": w.churn.slug},
        lambda item: (
            "api:business-case-detail",
            {"initiative_slug": item["initiative"], "version": item["version"]},
        ),
    ),
    "api:initiative-transitions": (_api_fraud, None),
    "api:initiative-events": (_api_fraud, None),
    "api:email-list": (_none, lambda item: ("api:email-detail", {"pk": item["id"]})),
    "api:value-report-list": (
        lambda w: {"initiative_slug": w.valued.slug},
        lambda item: (
            "api:value-report-detail",
            {"initiative_slug": item["initiative"], "quarter_label": item["quarter_label"]},
        ),
    ),
}
# Lists only governance reads (and staff, who may do everything): the others get 403.
GOVERNANCE_LISTS = {"api:email-list"}
# `list` routes that answer one object (an initiative's health, its readiness checklist).
NOT_COLLECTIONS = {"api:health-list", "api:readiness-list", "api:evidence-pack-list"}


def test_every_list_endpoint_is_checked_for_what_each_role_sees():
    lists = {e.name for e in api_endpoints() if e.is_list} - NOT_COLLECTIONS
    assert lists <= set(LISTS), f"add these lists to LISTS: {sorted(lists - set(LISTS))}"


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("list_name", sorted(LISTS))
def test_a_list_shows_a_role_exactly_the_items_it_may_open(world, role, list_name):
    list_kwargs, address = LISTS[list_name]
    client = client_as(world, role, APIClient)
    response = client.get(reverse(list_name, kwargs=list_kwargs(world)), {"page_size": 200})

    if role in ("anonymous", "inactive", "machine"):
        assert response.status_code == (403 if role == "machine" else API_ANON)
        assert set(response.json()) == {"detail"}
        return
    if list_name in GOVERNANCE_LISTS and role not in ("reviewer", "staff"):
        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
        return
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) > 0
    for item in body["results"]:
        if address is not None:
            name, kwargs = address(item)
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, item
    # Nothing the role may open is left out: whoever may read a list reads all of it.
    totals = {
        "api:initiative-list": lambda: Initiative.objects.count(),
        "api:handover-list": lambda: OwnershipHandover.objects.count(),
        "api:flag-list": lambda: Flag.objects.count(),
        "api:promotion-request-list": lambda: PromotionRequest.objects.count(),
        "api:business-case-list": lambda: world.churn.business_cases.count(),
        "api:initiative-transitions": lambda: world.initiative.transitions.count(),
        "api:initiative-events": lambda: world.initiative.events.count(),
        "api:email-list": lambda: EmailRecord.objects.count(),
        "api:value-report-list": lambda: world.valued.value_reports.count(),
    }
    assert body["count"] == totals[list_name]()
