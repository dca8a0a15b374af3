"""Health charts on the initiative page: fixed scales, threshold lines, rates as percentages,
the failing metric marked, axis labels and the numbers as text."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from initiatives.core.choices import HealthStatus, Stage
from initiatives.health import status as health_status
from initiatives.templatetags.crossing import health_chart
from tests.factories import HealthReportFactory, HealthThresholdsFactory, InitiativeFactory
from tests.support.clients import client_for


def state(status=HealthStatus.FAILING, **latest) -> health_status.HealthState:
    thresholds = health_status.thresholds_for(InitiativeFactory.build())
    return health_status.HealthState(
        status=status, reasons=[], latest_at=None, latest=latest, thresholds=thresholds
    )


ROWS = [
    {"day": date(2027, 2, 1), "availability": 99.9, "error_rate": 0.002},
    {"day": date(2027, 2, 2), "availability": 97.0, "error_rate": 0.08},
]


def by_metric(charts):
    return {chart.metric: chart for chart in charts}


def test_rates_and_availability_have_a_fixed_scale_and_others_fit_their_values():
    charts = by_metric(health_status.charts(ROWS, state(availability=97.0, error_rate=0.08)))
    assert (charts["availability"].low, charts["availability"].high) == (0.0, 100.0)
    assert (charts["error_rate"].low, charts["error_rate"].high) == (0.0, 1.0)
    assert (charts["data_quality_pass_rate"].low, charts["data_quality_pass_rate"].high) == (0, 1)
    # Latency has no natural top: the scale reaches above the failing threshold.
    assert charts["latency_p95_ms"].high == pytest.approx(2000 * 1.1)


def test_the_latest_value_past_a_threshold_marks_its_metric():
    charts = by_metric(health_status.charts(ROWS, state(availability=99.4, error_rate=0.08)))
    assert charts["availability"].level == "degraded"
    assert charts["error_rate"].level == "failing"
    assert charts["eval_score"].level == ""


def test_outside_production_nothing_is_marked():
    charts = by_metric(health_status.charts(ROWS, state(status="", error_rate=0.08)))
    assert charts["error_rate"].level == ""


def test_the_chart_draws_both_thresholds_and_shows_rates_as_percentages():
    charts = by_metric(health_status.charts(ROWS, state(availability=97.0, error_rate=0.08)))
    html = str(health_chart(charts["error_rate"]))
    assert 'class="threshold threshold-degraded"' in html
    assert 'class="threshold threshold-failing"' in html
    assert "degraded above 1.0 %, failing above 5.0 %" in html
    assert "latest 8.0 % (failing)" in html
    assert ">100.0 %</text>" in html
    assert ">0.0 %</text>" in html
    assert "Day (daily mean)" in html
    assert "Error rate (%)" in html
    assert "level-failing" in html
    assert 'badge health-failing">failing<' in html
    # The numbers, for people who cannot see the picture: one row a day, newest first.
    assert re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", html) == [
        ("2 Feb 2027", "8.0 %"),
        ("1 Feb 2027", "0.2 %"),
    ]
    assert "http" not in html.replace("http://www.w3.org", "")  # nothing from another host


def test_a_threshold_line_sits_where_its_value_is_on_the_fixed_scale():
    charts = by_metric(health_status.charts(ROWS, state(availability=97.0)))
    html = str(health_chart(charts["availability"], width=320, height=176))
    top, plot_h = 10, 176 - 10 - 38
    expected = top + plot_h - plot_h * 0.98  # failing below 98 % on 0-100 %
    failing = re.search(r'threshold-failing" x1="\d+" y1="([\d.]+)"', html).group(1)
    assert float(failing) == pytest.approx(expected, abs=0.1)


@pytest.mark.django_db
def test_the_initiative_page_marks_the_failing_metric_with_its_own_thresholds(viewer):
    initiative = InitiativeFactory(stage=Stage.PRODUCTION)
    HealthThresholdsFactory(
        initiative=initiative, error_rate_degraded_above=0.02, error_rate_failing_above=0.04
    )
    now = timezone.now()
    HealthReportFactory(initiative=initiative, observed_at=now - timedelta(days=1), error_rate=0.01)
    HealthReportFactory(initiative=initiative, observed_at=now, error_rate=0.045)
    page = client_for(viewer).get(initiative.get_absolute_url()).content.decode()
    error_chart = page.split('data-metric="error_rate"', 1)[1].split("</figure>", 1)[0]
    assert "degraded above 2.0 %, failing above 4.0 %" in error_chart  # the overrides
    assert "latest 4.5 % (failing)" in error_chart
    assert page.count("level-failing") == 1
