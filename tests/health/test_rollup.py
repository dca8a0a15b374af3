"""Health at volume (README "Health at volume"): the daily roll-up the charts and the status
read, the retention of raw reports, and the check that the roll-up equals a recount."""

import math
import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.core.choices import Stage
from initiatives.health import checks, days, selectors, services
from initiatives.health import status as health_status
from initiatives.health.models import METRIC_NAMES, METRICS, Metric
from initiatives.models import HealthDay, HealthReport
from ops.configuration import PROBLEM, _health_rollup
from tests.factories import HealthReporterGrantFactory, InitiativeFactory, UserFactory
from tests.support.clients import api_client_for, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored():
    return InitiativeFactory(stage=Stage.PRODUCTION, slug="fraud-scoring")


@pytest.fixture
def bot(monitored):
    account = UserFactory(username="monitoring-bot")
    HealthReporterGrantFactory(user=account, initiative=monitored)
    return account


URL = "/api/v1/initiatives/fraud-scoring/health/reports/"


def at(moment, **metrics):
    return {"observed_at": moment.isoformat(), **metrics}


def stored(initiative, moments_and_metrics):
    """Reports written as a bulk push writes them: the rows, then their days."""
    reports = HealthReport.objects.bulk_create(
        HealthReport(initiative=initiative, observed_at=moment, **metrics)
        for moment, metrics in moments_and_metrics
    )
    services.health_days_add(reports=reports)
    return reports


def random_reports(initiative, now, rng, count=400, span_days=60):
    """`count` reports over the `span_days` days before `now` (and a few after it), each
    carrying a random half of the metrics."""
    moments = sorted(
        {now - timedelta(minutes=rng.randrange(span_days * 24 * 60)) for _ in range(count)}
    )
    moments += [now + timedelta(minutes=m) for m in (1, 30)]  # later the same day
    rows = []
    for moment in moments:
        metrics = {
            m.name: round(rng.uniform(m.low, min(m.high, 1000)), 4)
            for m in METRICS
            if rng.random() < 0.5
        }
        rows.append((moment, metrics))
    return stored(initiative, rows)


def reference_state(reports, as_of):
    """What the status read from the raw reports before the roll-up (the rule in
    `initiatives.health.status`), computed in Python."""
    seen = sorted((r for r in reports if r.observed_at <= as_of), key=lambda r: r.observed_at)
    latest = dict.fromkeys(METRIC_NAMES)
    for report in seen:
        for m in METRIC_NAMES:
            if getattr(report, m) is not None:
                latest[m] = getattr(report, m)
    scored = [r for r in seen if r.eval_score is not None]
    baseline = None
    if scored:
        eval_at = scored[-1].observed_at
        high = eval_at - timedelta(days=settings.PORTAL_EVAL_BASELINE_GAP_DAYS)
        low = high - timedelta(days=settings.PORTAL_EVAL_BASELINE_DAYS)
        scores = [
            r.eval_score
            for r in reports
            if r.eval_score is not None and low <= r.observed_at < high
        ]
        if scores:
            baseline = sum(scores) / len(scores)
    return (seen[-1].observed_at if seen else None), latest, baseline


def reference_series(reports, lower, as_of):
    rows = {}
    for r in reports:
        if lower < r.observed_at <= as_of:
            rows.setdefault(days.day_of(r.observed_at), []).append(r)
    result = []
    for day in sorted(rows):
        means = {}
        for m in METRIC_NAMES:
            values = [getattr(r, m) for r in rows[day] if getattr(r, m) is not None]
            means[m] = sum(values) / len(values) if values else None
        result.append({"day": day, "reports": len(rows[day]), **means})
    return result


def same_rows(found, expected):
    assert [(r["day"], r["reports"]) for r in found] == [(r["day"], r["reports"]) for r in expected]
    for got, want in zip(found, expected, strict=True):
        for m in METRIC_NAMES:
            assert (got[m] is None) == (want[m] is None), (got["day"], m)
            if want[m] is not None:
                assert math.isclose(got[m], want[m], rel_tol=1e-9), (got["day"], m)


# --- The roll-up equals a recount ----------------------------------------------------------------


def test_pushes_over_the_api_roll_up_to_what_a_recount_of_the_reports_finds(bot, monitored):
    client = api_client_for(bot)
    now = timezone.now()
    first = [
        at(now - timedelta(days=2, minutes=10), availability=99.0, eval_score=0.9),
        at(now - timedelta(days=2), availability=98.0),
        at(now - timedelta(days=1), latency_p95_ms=300.0),
        at(now - timedelta(minutes=5), availability=99.5, error_rate=0.01),
    ]
    assert client.post(URL, first, format="json").status_code == 201
    later = [
        first[0],  # a retry: stored once, counted once
        at(now - timedelta(days=2, minutes=20), availability=97.0),  # earlier that day
        at(now - timedelta(minutes=1), availability=99.9),  # the newest
    ]
    response = client.post(URL, later, format="json")
    assert response.json() == {"received": 3, "stored": 2, "duplicates": 1}

    assert selectors.health_days_drift() == []
    today = HealthDay.objects.get(initiative=monitored, day=days.day_of(now - timedelta(minutes=1)))
    assert (today.reports, today.availability_count) == (2, 2)
    assert today.availability_sum == pytest.approx(99.5 + 99.9)
    assert (today.availability_last, today.error_rate_last) == (99.9, 0.01)
    two_days_ago = HealthDay.objects.get(
        initiative=monitored, day=days.day_of(now - timedelta(days=2))
    )
    assert (two_days_ago.reports, two_days_ago.availability_last) == (3, 98.0)
    assert two_days_ago.eval_score_count == 1


def test_a_bulk_push_adds_to_the_roll_up_in_as_many_queries_for_500_days_as_for_one(bot, monitored):
    now = timezone.now()

    def push(reports):
        with CaptureQueriesContext(connection) as queries:
            services.health_reports_ingest(initiative=monitored, actor=bot, reports=reports)
        return len(queries.captured_queries)

    one_day = push(
        [{"observed_at": now - timedelta(minutes=m), "availability": 99.0} for m in range(1, 4)]
    )
    many_days = push(
        [
            {"observed_at": now - timedelta(days=d, hours=1), "eval_score": 0.9}
            for d in range(1, 501)
        ]
    )
    assert many_days == one_day
    assert HealthDay.objects.filter(initiative=monitored).count() == 501
    assert selectors.health_days_drift() == []


def test_removing_reports_takes_them_out_of_their_day(monitored, staff):
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    a, b, c, alone = stored(
        monitored,
        [
            (now - timedelta(hours=2), {"availability": 99.0, "eval_score": 0.8}),
            (now - timedelta(hours=1), {"availability": 98.0}),
            (now, {"availability": 97.0, "eval_score": 0.9}),  # the day's last
            (now - timedelta(days=3), {"latency_p95_ms": 400.0}),  # a day's only report
        ],
    )
    for report in (c, b, alone):
        services.health_report_remove(report=report, actor=staff, reason="A broken probe.")
        assert selectors.health_days_drift() == []

    day = HealthDay.objects.get(initiative=monitored, day=days.day_of(now))
    assert (day.reports, day.availability_count, day.availability_last) == (1, 1, 99.0)
    assert (day.eval_score_last, day.eval_score_last_at) == (0.8, a.observed_at)
    assert day.latest_at == a.observed_at
    assert not HealthDay.objects.filter(
        initiative=monitored, day=days.day_of(alone.observed_at)
    ).exists()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_status_and_series_from_the_roll_up_equal_those_from_the_raw_reports(
    monitored, settings, zone
):
    settings.TIME_ZONE = zone
    rng = random.Random(19)
    now = timezone.now()
    reports = random_reports(monitored, now, rng)
    for as_of in (now, now - timedelta(days=3, hours=5), now - timedelta(days=20, minutes=7)):
        latest_at, latest, baseline = reference_state(reports, as_of)
        state = health_status.health_of(monitored, as_of)
        assert (state.latest_at, state.latest) == (latest_at, latest)
        assert (state.eval_baseline is None) == (baseline is None)
        if baseline is not None:
            assert math.isclose(state.eval_baseline, baseline, rel_tol=1e-9)
        for span in (1, 7, 90):
            found = health_status.series(monitored, days=span, as_of=as_of)
            same_rows(found, reference_series(reports, as_of - timedelta(days=span), as_of))
    summary = selectors.health_summary(monitored, days=30, as_of=now)
    in_window = [r for r in reports if now - timedelta(days=30) < r.observed_at <= now]
    assert summary.reports == len(in_window)
    assert summary.latest_at == max(r.observed_at for r in in_window)


# --- Retention ---------------------------------------------------------------------------------


def test_retention_deletes_only_reports_older_than_the_window_in_batches_and_keeps_the_roll_up(
    monitored, settings
):
    settings.PORTAL_HEALTH_RAW_DAYS = 90
    now = timezone.now()
    rng = random.Random(7)
    reports = random_reports(monitored, now, rng, count=300, span_days=130)
    cutoff = days.raw_cutoff(now)
    old = {r.pk for r in reports if r.observed_at < cutoff}
    assert 50 < len(old) < len(reports)
    chart_before = health_status.series(monitored, days=90, as_of=now)
    state_before = health_status.health_of(monitored, now)
    rolled_before = list(HealthDay.objects.order_by("day").values())

    with CaptureQueriesContext(connection) as queries:
        deleted = services.health_reports_purge(now=now, batch_size=40)

    assert deleted == len(old)
    deletes = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == len(old) // 40 + 1  # each batch its own statement
    left = set(HealthReport.objects.values_list("pk", flat=True))
    assert left == {r.pk for r in reports} - old
    assert list(HealthDay.objects.order_by("day").values()) == rolled_before
    assert health_status.series(monitored, days=90, as_of=now) == chart_before
    assert health_status.health_of(monitored, now) == state_before
    assert selectors.health_days_drift(now=now) == []
    assert services.health_reports_purge(now=now, batch_size=40) == 0  # idempotent


def test_the_purge_runs_nightly_from_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "initiatives.tasks.purge_health_reports" in tasks


# --- The check ----------------------------------------------------------------------------------


def test_check_portal_finds_a_roll_up_that_differs_from_a_recount_and_the_rebuild_fixes_it(
    monitored,
):
    now = timezone.now()
    stored(
        monitored, [(now - timedelta(hours=h), {"availability": 99.0 - h / 10}) for h in range(30)]
    )
    assert _health_rollup() == []

    HealthDay.objects.filter(day=days.day_of(now)).update(availability_sum=1.0)
    HealthDay.objects.exclude(day=days.day_of(now)).delete()
    [finding] = _health_rollup()
    assert finding.level == PROBLEM
    assert "availability_sum 1.0, recounted" in finding.message
    assert "none rolled up" in finding.message
    assert "rebuild_health_days" in finding.message

    call_command("rebuild_health_days", verbosity=0)
    assert _health_rollup() == []


def test_a_metric_missing_from_the_roll_up_stops_the_system_check(monkeypatch):
    extra = Metric("carbon_g", 0, 1, "Carbon (g)", "Grams per request.", "above")
    monkeypatch.setattr(checks, "METRICS", (*METRICS, extra))
    errors = {e.id for e in checks.health_metrics_agree() if "carbon_g" in e.msg}
    assert "health.E005" in errors


# --- Query counts -------------------------------------------------------------------------------


def test_health_reads_take_as_many_queries_for_a_year_of_reports_as_for_a_day(monitored, viewer):
    other = InitiativeFactory(stage=Stage.PRODUCTION, slug="ranking")
    now = timezone.now()
    stored(monitored, [(now - timedelta(hours=h), {"availability": 99.0}) for h in range(1, 4)])
    stored(other, [(now - timedelta(hours=h), {"eval_score": 0.9}) for h in range(1, 24 * 365, 5)])

    def counted(initiative):
        with CaptureQueriesContext(connection) as queries:
            health_status.health_of(initiative)
            health_status.series(initiative, days=90)
            selectors.health_summary(initiative)
        page = client_for(viewer)
        with CaptureQueriesContext(connection) as page_queries:
            assert page.get(f"/initiatives/{initiative.slug}/").status_code == 200
        return len(queries.captured_queries), len(page_queries.captured_queries)

    assert counted(monitored) == counted(other)
    assert counted(other)[0] == 4  # status, series, summary (series + status)
