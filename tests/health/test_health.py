"""Operational health (README "Operational health"): status, regression, ingestion, flags."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core.choices import FlagKind, HealthStatus, Stage
from initiatives.health import status as health_status
from initiatives.health.services import health_days_rebuild
from initiatives.models import Flag, HealthReport, HealthReporterGrant
from initiatives.watch import scan
from tests.factories import (
    HealthReporterGrantFactory,
    HealthReportFactory,
    HealthThresholdsFactory,
    InitiativeFactory,
    UserFactory,
)
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db

# Scans judge moments a little after NOW; a moment in the future would only be reported.
NOW = timezone.now() - timedelta(days=1)


def defaults():
    return health_status.thresholds_for(InitiativeFactory.build())


# --- Status against thresholds, overrides and silence -------------------------------------------


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        ({"availability": 99.9, "error_rate": 0.001}, HealthStatus.HEALTHY),
        ({"availability": 99.5}, HealthStatus.HEALTHY),  # at the threshold is not past it
        ({"availability": 99.4}, HealthStatus.DEGRADED),
        ({"availability": 97.0}, HealthStatus.FAILING),
        ({"latency_p95_ms": 900.0}, HealthStatus.DEGRADED),
        ({"error_rate": 0.06}, HealthStatus.FAILING),
        ({"data_freshness_hours": 30.0}, HealthStatus.DEGRADED),
        ({"data_quality_pass_rate": 0.85}, HealthStatus.FAILING),
        ({"eval_score": 0.75}, HealthStatus.DEGRADED),
        ({"availability": 99.4, "error_rate": 0.2}, HealthStatus.FAILING),  # the worst wins
        ({}, HealthStatus.HEALTHY),  # a report with notes only
    ],
)
def test_status_against_the_default_thresholds(latest, status):
    found, reasons = health_status.classify(latest, NOW - timedelta(hours=1), defaults(), NOW)
    assert found == status
    assert bool(reasons) == (status != HealthStatus.HEALTHY)


def test_the_reasons_name_the_metric_and_the_threshold():
    _, reasons = health_status.classify({"availability": 97.0}, NOW, defaults(), NOW)
    assert reasons == ["availability (%) 97 is below 98"]


@pytest.mark.parametrize(
    ("hours_ago", "status"), [(23, HealthStatus.HEALTHY), (25, HealthStatus.SILENT)]
)
def test_silent_after_24_hours_without_a_report(hours_ago, status):
    latest_at = NOW - timedelta(hours=hours_ago)
    assert health_status.classify({"availability": 100.0}, latest_at, defaults(), NOW)[0] == status


def test_never_reported_is_silent():
    assert health_status.classify({}, None, defaults(), NOW) == (
        HealthStatus.SILENT,
        ["no health report has ever been received"],
    )


def test_per_initiative_overrides_replace_only_what_they_set():
    initiative = InitiativeFactory()
    HealthThresholdsFactory(
        initiative=initiative, availability_degraded_below=95.0, silent_after_hours=2.0
    )
    initiative.refresh_from_db()
    thresholds = health_status.thresholds_for(initiative)
    assert thresholds["availability"] == {"degraded_below": 95.0, "failing_below": 98.0}
    assert thresholds["error_rate"] == defaults()["error_rate"]
    assert health_status.classify({"availability": 96.0}, NOW, thresholds, NOW)[0] == "failing"
    assert health_status.classify({"availability": 99.0}, NOW, thresholds, NOW)[0] == "healthy"
    stale = NOW - timedelta(hours=3)
    assert health_status.classify({"availability": 99.0}, stale, thresholds, NOW)[0] == "silent"


# --- The regression rule -------------------------------------------------------------------------


def reports(initiative, scores, end=NOW):
    """The last score at `end`; the others a day apart, starting eight days before it (the
    baseline ends seven days before the latest score)."""
    *earlier, latest = scores
    HealthReport.objects.bulk_create(
        [
            HealthReport(
                initiative=initiative,
                observed_at=end - timedelta(days=8 + len(earlier) - 1 - i),
                eval_score=score,
            )
            for i, score in enumerate(earlier)
        ]
        + [HealthReport(initiative=initiative, observed_at=end, eval_score=latest)]
    )
    health_days_rebuild(initiative_ids=[initiative.pk])  # written around the service


@pytest.mark.parametrize(
    ("scores", "regressed"),
    [
        ([0.90, 0.90, 0.90, 0.90, 0.90, 0.84], True),  # a drop of 0.06 > 0.05
        ([0.90, 0.90, 0.90, 0.90, 0.90, 0.86], False),  # 0.04 is within the minimum drop
        ([0.80, 1.00, 0.80, 1.00, 0.90, 0.80], False),  # noisy: 2 x std (0.18) allows it
        ([0.90, 0.90, 0.90, 0.90, 0.60], False),  # only 4 baseline reports: too little to judge
        ([0.90, 0.90, 0.90, 0.90, 0.90, 0.95], False),  # better is never a regression
    ],
)
def test_evaluation_regression_rule(scores, regressed):
    initiative = InitiativeFactory(stage=Stage.PRODUCTION)
    reports(initiative, scores)
    state = health_status.health_of(initiative, as_of=NOW)
    assert state.eval_regression is regressed
    assert state.latest["eval_score"] == scores[-1]


def test_a_lasting_drop_stays_a_regression_instead_of_becoming_its_own_baseline():
    initiative = InitiativeFactory(stage=Stage.PRODUCTION)
    reports(initiative, [0.93] * 10 + [0.80], end=NOW - timedelta(hours=36))
    HealthReport.objects.bulk_create(
        HealthReport(initiative=initiative, observed_at=NOW - timedelta(hours=h), eval_score=0.8)
        for h in range(36)
    )
    health_days_rebuild(initiative_ids=[initiative.pk])
    state = health_status.health_of(initiative, as_of=NOW)
    assert state.eval_baseline == pytest.approx(0.93)
    assert state.eval_regression


def test_the_baseline_is_the_30_days_before_the_latest_score():
    initiative = InitiativeFactory(stage=Stage.PRODUCTION)
    old = [0.5] * 6  # 45+ days before the latest: outside the baseline window
    reports(initiative, old, end=NOW - timedelta(days=38))
    reports(initiative, [0.9, 0.9, 0.9, 0.9, 0.9, 0.8], end=NOW)
    state = health_status.health_of(initiative, as_of=NOW)
    assert state.eval_baseline == pytest.approx(0.9)
    assert state.eval_regression


# --- Flags raised by the scan ------------------------------------------------------------------


def production(**kwargs):
    return InitiativeFactory(stage=Stage.PRODUCTION, **kwargs)


def health_flags():
    kinds = (FlagKind.HEALTH_SILENT, FlagKind.HEALTH_DEGRADED, FlagKind.EVAL_REGRESSION)
    return set(
        Flag.objects.filter(resolved_at__isnull=True, kind__in=kinds).values_list(
            "initiative__slug", "kind"
        )
    )


def test_the_scan_flags_silent_degraded_and_regressed_production_systems():
    silent = production(slug="silent")
    HealthReportFactory(initiative=silent, observed_at=NOW - timedelta(days=3))
    degraded = production(slug="degraded")
    HealthReportFactory(initiative=degraded, observed_at=NOW, error_rate=0.02)
    regressed = production(slug="regressed")
    reports(regressed, [0.9] * 6 + [0.7])
    InitiativeFactory(slug="pilot", stage=Stage.PILOT)  # not in production: not watched
    scan.scan_portfolio(as_of=NOW)
    assert health_flags() == {
        ("silent", FlagKind.HEALTH_SILENT),
        ("degraded", FlagKind.HEALTH_DEGRADED),
        ("regressed", FlagKind.EVAL_REGRESSION),
        ("regressed", FlagKind.HEALTH_DEGRADED),  # 0.7 is also past the degraded threshold
    }
    HealthReportFactory(initiative=degraded, observed_at=NOW + timedelta(minutes=1))
    HealthReportFactory(
        initiative=degraded, observed_at=NOW + timedelta(minutes=2), error_rate=0.001
    )
    scan.scan_portfolio(as_of=NOW + timedelta(minutes=3))
    assert ("degraded", FlagKind.HEALTH_DEGRADED) not in health_flags()


# --- Ingestion through the API -------------------------------------------------------------------


@pytest.fixture
def monitored():
    return production(slug="fraud-scoring")


@pytest.fixture
def bot(monitored):
    account = UserFactory(username="monitoring-bot")
    HealthReporterGrantFactory(user=account, initiative=monitored)
    return account


URL = "/api/v1/initiatives/fraud-scoring/health/reports/"


def report(minutes_ago=5, **metrics):
    moment = (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()
    return {"observed_at": moment, **metrics}


def test_a_single_report_is_stored(bot, monitored):
    response = api_client_for(bot).post(URL, report(availability=99.9, notes="ok"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"received": 1, "stored": 1, "duplicates": 0}
    stored = HealthReport.objects.get()
    assert (stored.availability, stored.notes, stored.reported_by) == (99.9, "ok", bot)


def test_a_batch_is_stored_and_a_retry_stores_nothing_twice(bot):
    batch = [report(minutes_ago=m, error_rate=0.001) for m in range(10, 0, -1)]
    client = api_client_for(bot)
    assert client.post(URL, batch, format="json").json() == {
        "received": 10,
        "stored": 10,
        "duplicates": 0,
    }
    again = client.post(URL, batch, format="json")
    assert again.status_code == 201
    assert again.json() == {"received": 10, "stored": 0, "duplicates": 10}
    assert HealthReport.objects.count() == 10


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"availability": 100.5}, "availability"),
        ({"availability": -1}, "availability"),
        ({"error_rate": 1.2}, "error_rate"),
        ({"latency_p95_ms": -3}, "latency_p95_ms"),
        ({"eval_score": "high"}, "eval_score"),
        ({"colour": "green"}, "colour"),
        ({"observed_at": "yesterday"}, "observed_at"),
        ({"observed_at": "2026-11-20"}, "observed_at"),  # a date alone
        ({"observed_at": "2026-11-20T10:00:00"}, "observed_at"),  # no time zone
        ({"observed_at": "0001-01-01T00:00:00Z"}, "observed_at"),  # an unset clock
        ({"error_rate": True}, "error_rate"),
        ({"availability": "99.9"}, "availability"),
        ({"observed_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "observed_at"),
    ],
)
def test_a_batch_with_one_bad_report_is_refused_whole_with_its_index(bot, bad, field):
    batch = [report(minutes_ago=3), report(minutes_ago=2), {**report(minutes_ago=1), **bad}]
    response = api_client_for(bot).post(URL, batch, format="json")
    assert response.status_code == 400
    body = response.json()
    assert [item["index"] for item in body["reports"]] == [2]
    assert field in body["reports"][0]["errors"]
    assert not HealthReport.objects.exists()


def test_two_reports_of_one_moment_in_a_batch_are_refused(bot):
    same = report(minutes_ago=1, availability=99.0)
    response = api_client_for(bot).post(URL, [same, same], format="json")
    assert response.json()["reports"] == [
        {"index": 1, "errors": {"observed_at": ["Same moment as report 0."]}}
    ]


def test_a_client_may_push_only_for_initiatives_it_is_granted(bot):
    production(slug="other")
    response = api_client_for(bot).post(
        "/api/v1/initiatives/other/health/reports/", report(), format="json"
    )
    assert response.status_code == 403
    team_member = UserFactory()
    assert api_client_for(team_member).post(URL, report(), format="json").status_code == 403
    assert APIClient().post(URL, report(), format="json").status_code == 401
    assert not HealthReport.objects.exists()


def test_a_payload_over_the_limit_is_refused(bot, settings):
    settings.PORTAL_HEALTH_MAX_BYTES = 2000
    batch = [report(minutes_ago=m, notes="x" * 200) for m in range(1, 20)]
    response = api_client_for(bot).post(URL, json.dumps(batch), content_type="application/json")
    assert response.status_code == 413
    assert "Send smaller batches" in response.json()["detail"]
    assert not HealthReport.objects.exists()


def test_the_api_returns_status_and_daily_series(bot, monitored, viewer):
    client = api_client_for(bot)
    client.post(
        URL,
        [report(minutes_ago=60 * 24 * 2, availability=99.0), report(availability=99.8)],
        format="json",
    )
    reader = APIClient()
    reader.force_authenticate(viewer)
    body = reader.get("/api/v1/initiatives/fraud-scoring/health/").json()
    assert body["status"] == "healthy"  # judged on the latest availability, 99.8
    assert [row["availability"] for row in body["series"]] == [99.0, 99.8]
    assert reader.get("/api/v1/initiatives/fraud-scoring/health/?days=0").status_code == 400


def test_the_initiative_page_draws_charts_itself(bot, monitored, viewer, as_user):
    api_client_for(bot).post(
        URL, [report(minutes_ago=m, eval_score=0.9) for m in (30, 20)], format="json"
    )
    page = as_user(viewer).get(monitored.get_absolute_url()).content.decode()
    assert "<svg" in page
    assert "Evaluation score: latest 0.9" in page
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # nothing external


def test_the_grant_command(monitored):
    call_command("grant_health_reporting", "probe", "fraud-scoring", "--create")
    assert HealthReporterGrant.objects.filter(user__username="probe").count() == 1
    with pytest.raises(CommandError, match="No initiative with slug: nope"):
        call_command("grant_health_reporting", "probe", "nope")
    call_command("grant_health_reporting", "probe", "fraud-scoring", "--revoke")
    assert not HealthReporterGrant.objects.exists()


def test_unknown_fields_are_reported_with_the_other_errors(bot):
    bad = {**report(), "availability": 101, "colour": "green"}
    response = api_client_for(bot).post(URL, [bad], format="json")
    assert set(response.json()["reports"][0]["errors"]) == {"availability", "colour"}


def test_form_encoded_pushes_are_refused(bot):
    response = api_client_for(bot).post(URL, {"observed_at": report()["observed_at"]})
    assert response.status_code == 415
    assert not HealthReport.objects.exists()


def test_a_machine_clients_token_only_pushes_reports(monitored):
    call_command("grant_health_reporting", "probe", "fraud-scoring", "--create")
    from django.contrib.auth import get_user_model

    client = api_client_for(get_user_model().objects.get(username="probe"))
    assert client.post(URL, report(), format="json").status_code == 201
    assert client.get("/api/v1/initiatives/").status_code == 403
    created = client.post(
        "/api/v1/initiatives/", {"name": "X", "slug": "x", "business_unit": "x"}, format="json"
    )
    assert created.status_code == 403
    assert client.get("/api/v1/initiatives/fraud-scoring/health/").status_code == 403


def test_outside_production_health_is_not_judged_but_reports_still_show(viewer):
    """Found by review: the API called a proof of concept "silent" while the list and the
    portfolio (rightly) did not judge it."""
    from rest_framework.test import APIClient

    pilot = InitiativeFactory(slug="in-pilot", stage=Stage.PILOT)
    reports(pilot, [0.9] * 3)
    state = health_status.health_of(pilot)
    assert (state.status, state.reasons) == ("", [health_status.NOT_JUDGED])
    client = APIClient()
    client.force_authenticate(viewer)
    body = client.get("/api/v1/initiatives/in-pilot/health/").json()
    assert body["status"] == ""
    assert len(body["series"]) == 3


# --- Bounds: one push cannot break an initiative's health -----------------------------------


def test_two_absurd_latencies_are_refused_and_the_health_still_answers(
    bot, monitored, viewer, as_user
):
    """1.7e308 ms twice used to be stored; their daily mean overflowed (PostgreSQL) or was
    infinite (JSON cannot say it), and the health API and the initiative page answered 500."""
    huge = [report(minutes_ago=m, latency_p95_ms=1.7e308) for m in (20, 10)]
    pushed = api_client_for(bot).post(URL, huge, format="json")
    reader = APIClient()
    reader.force_authenticate(viewer)
    assert reader.get("/api/v1/initiatives/fraud-scoring/health/").status_code == 200
    assert as_user(viewer).get(monitored.get_absolute_url()).status_code == 200
    assert pushed.status_code == 400
    assert [item["index"] for item in pushed.json()["reports"]] == [0, 1]
    assert "latency_p95_ms" in pushed.json()["reports"][0]["errors"]
    assert not HealthReport.objects.exists()


@pytest.mark.parametrize(
    ("metric", "highest"),
    [
        ("availability", 100),
        ("latency_p95_ms", 3_600_000),
        ("error_rate", 1),
        ("data_freshness_hours", 8_760),
        ("data_quality_pass_rate", 1),
        ("eval_score", 1),
    ],
)
def test_every_metric_is_taken_up_to_its_realistic_bound_and_refused_past_it(bot, metric, highest):
    client = api_client_for(bot)
    past = client.post(URL, report(minutes_ago=2, **{metric: highest * 1.001}), format="json")
    assert past.status_code == 400
    assert metric in past.json()["reports"][0]["errors"]
    at = client.post(URL, report(minutes_ago=1, **{metric: highest}), format="json")
    assert at.status_code == 201, at.json()


def test_a_number_too_large_for_a_float_is_refused(bot):
    moment = report()["observed_at"]
    body = f'{{"observed_at": "{moment}", "data_freshness_hours": 1e999}}'
    response = api_client_for(bot).post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "data_freshness_hours" in response.json()["reports"][0]["errors"]
    assert not HealthReport.objects.exists()


def test_the_database_refuses_a_metric_past_its_bound_whoever_writes_it(monitored):
    from django.db import IntegrityError, transaction

    for metric, value in (("latency_p95_ms", 1.7e308), ("availability", float("nan"))):
        with pytest.raises(IntegrityError), transaction.atomic():
            HealthReportFactory(initiative=monitored, observed_at=timezone.now(), **{metric: value})


@pytest.mark.django_db(transaction=True)
def test_reports_stored_before_the_bounds_are_emptied_of_impossible_values_by_the_migration():
    """Rows pushed before the bounds existed: the migration empties the impossible metrics,
    keeps the rest of each report, and the page and the API answer again."""
    from django.db import connection

    call_command("migrate", "initiatives", "0015_health_config_history", verbosity=0)
    try:
        initiative = production(slug="fraud-scoring")
        with connection.cursor() as cursor:
            for minutes, latency in ((20, 1.7e308), (10, float("nan"))):
                cursor.execute(
                    "INSERT INTO initiatives_healthreport (initiative_id, observed_at, "
                    "received_at, latency_p95_ms, availability, notes) "
                    "VALUES (%s, %s, %s, %s, 99.9, '')",
                    [
                        initiative.pk,
                        timezone.now() - timedelta(minutes=minutes),
                        timezone.now(),
                        latency,
                    ],
                )
    finally:
        call_command("migrate", "initiatives", verbosity=0)
    assert list(HealthReport.objects.values_list("latency_p95_ms", "availability")) == [
        (None, 99.9),
        (None, 99.9),
    ]
    viewer = UserFactory()
    reader = APIClient()
    reader.force_authenticate(viewer)
    body = reader.get("/api/v1/initiatives/fraud-scoring/health/").json()
    assert body["series"][-1]["availability"] == 99.9
    assert body["series"][-1]["latency_p95_ms"] is None


# --- Removing a bad report (staff, in the admin, with a reason) -----------------------------

REPORTS_ADMIN = "/admin/initiatives/healthreport/"


def remove_in_admin(client, reports, reason):
    return client.post(
        REPORTS_ADMIN,
        {
            "action": "remove_reports",
            "_selected_action": [r.pk for r in reports],
            "apply": "Remove",
            "reason": reason,
        },
    )


def test_staff_remove_a_bad_report_and_the_timeline_says_who_and_why(bot, monitored, staff):
    from django.test import Client

    api_client_for(bot).post(
        URL,
        [report(minutes_ago=20, availability=99.9), report(minutes_ago=10, availability=50.0)],
        format="json",
    )
    monitored.refresh_from_db()
    assert monitored.health_status == HealthStatus.FAILING  # the probe's broken 50 %
    bad = HealthReport.objects.get(availability=50.0)
    admin = Client()
    admin.force_login(staff)

    asked = admin.post(REPORTS_ADMIN, {"action": "remove_reports", "_selected_action": [bad.pk]})
    assert asked.status_code == 200
    assert "Reason" in asked.content.decode()
    assert HealthReport.objects.filter(pk=bad.pk).exists()  # nothing removed without a reason

    blank = remove_in_admin(admin, [bad], "   ")
    assert blank.status_code == 200
    assert HealthReport.objects.filter(pk=bad.pk).exists()

    done = remove_in_admin(admin, [bad], "The probe lost its network; not an outage.")

    assert done.status_code == 302
    assert list(HealthReport.objects.values_list("availability", flat=True)) == [99.9]
    monitored.refresh_from_db()
    assert monitored.health_status == HealthStatus.HEALTHY  # judged again without it
    event = monitored.events.get(kind="health_report_removed")
    assert event.actor == staff
    assert "availability 50" in event.message
    assert "The probe lost its network; not an outage." in event.message
    page = admin.get(monitored.get_absolute_url()).content.decode()
    assert "The probe lost its network; not an outage." in page


def test_a_health_report_cannot_be_deleted_without_a_trace(bot, monitored, staff):
    """The admin's plain delete (no reason, no timeline entry) stays off."""
    from django.test import Client

    api_client_for(bot).post(URL, report(availability=50.0), format="json")
    stored = HealthReport.objects.get()
    admin = Client()
    admin.force_login(staff)
    url = f"{REPORTS_ADMIN}{stored.pk}/delete/"
    assert admin.post(url, {"post": "yes"}).status_code == 403
    admin.post(REPORTS_ADMIN, {"action": "delete_selected", "_selected_action": [stored.pk]})
    assert HealthReport.objects.filter(pk=stored.pk).exists()


# --- The metric registry agrees with the columns and the thresholds -------------------------


def test_the_system_check_passes_when_metrics_columns_and_thresholds_agree():
    call_command("check", "--fail-level", "ERROR")


def test_a_metric_missing_from_the_default_thresholds_stops_the_system_check(settings):
    from django.core.management.base import SystemCheckError

    settings.PORTAL_HEALTH_THRESHOLDS = {
        k: v for k, v in settings.PORTAL_HEALTH_THRESHOLDS.items() if k != "eval_score"
    }
    with pytest.raises(SystemCheckError, match="'eval_score' is in METRICS or PORTAL_HEALTH"):
        call_command("check")


def test_a_threshold_on_the_wrong_side_stops_the_system_check(settings):
    from django.core.management.base import SystemCheckError

    settings.PORTAL_HEALTH_THRESHOLDS = {
        **settings.PORTAL_HEALTH_THRESHOLDS,
        "error_rate": {"degraded_below": 0.01, "failing_below": 0.05},
    }
    with pytest.raises(SystemCheckError, match=r"PORTAL_HEALTH_THRESHOLDS\['error_rate'\]"):
        call_command("check")
