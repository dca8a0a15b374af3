"""Value pages through real requests: the form, the value page, my work, the portfolio."""

import pytest
from django.core.cache import cache

from initiatives.value.models import ValueReport
from tests.factories import UserFactory
from tests.support.clients import client_for
from tests.support.value import production_system, report


@pytest.fixture
def system(db):
    return production_system(slug="churn-model")


def test_owner_reports_a_quarter_through_the_form_and_sees_it_compared(system):
    client = client_for(system.production_owner)
    form = client.get(f"/initiatives/{system.slug}/value/report/?quarter=2025-Q3")
    assert form.status_code == 200
    answer = client.post(
        f"/initiatives/{system.slug}/value/report/",
        {"quarter": "2025-Q3", "currency": "EUR", "revenue_protected": "50,000"},
    )
    assert answer.status_code == 302
    page = client.get(f"/initiatives/{system.slug}/value/").content.decode()
    assert "EUR 50,000" in page
    assert ValueReport.objects.get().revenue_protected == 50000


def test_form_errors_keep_what_was_typed(system):
    client = client_for(system.production_owner)
    answer = client.post(
        f"/initiatives/{system.slug}/value/report/",
        {
            "quarter": "2025-Q3",
            "currency": "USD",
            "revenue_protected": "12,345",
            "team_cost": "-4",
            "run_cost_note": "typed by hand",
        },
    )
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors["team_cost"] == ["Type 0 or more: a figure here cannot be negative."]
    page = answer.content.decode()
    assert 'value="12,345"' in page
    assert "typed by hand" in page
    # The currency is judged by the service once the figures are right.
    answer = client.post(
        f"/initiatives/{system.slug}/value/report/",
        {"quarter": "2025-Q3", "currency": "USD", "revenue_protected": "12,345"},
    )
    assert "Report in EUR" in answer.context["form"].errors["currency"][0]
    assert not ValueReport.objects.exists()


def test_a_viewer_may_not_open_the_form_or_import(system):
    client = client_for(UserFactory())
    assert client.get(f"/initiatives/{system.slug}/value/report/").status_code == 403
    assert client.get(f"/initiatives/{system.slug}/value/import/").status_code == 403
    assert client.get(f"/initiatives/{system.slug}/value/").status_code == 200


def test_my_work_lists_the_quarters_to_report_with_a_link_to_the_form(system):
    page = client_for(system.production_owner).get("/my-work/").content.decode()
    assert f"/initiatives/{system.slug}/value/report/?quarter=2025-Q3" in page


def test_csv_import_page_reports_problems_by_row_and_column(system):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(system.production_owner)
    bad = SimpleUploadedFile("q.csv", b"year,quarter,team_cost\n2025,3,-1\n")
    answer = client.post(f"/initiatives/{system.slug}/value/import/", {"file": bad})
    assert answer.status_code == 200
    assert [(e.row, e.column) for e in answer.context["errors"]] == [(2, "team_cost")]
    good = SimpleUploadedFile("q.csv", b"year,quarter,team_cost\n2025,3,100\n")
    answer = client.post(f"/initiatives/{system.slug}/value/import/", {"file": good})
    assert answer.status_code == 302
    assert ValueReport.objects.get().team_cost == 100


def test_portfolio_value_section_queries_are_constant(db, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = UserFactory()
    client = client_for(viewer)
    first = production_system()
    report(first, 2025, 3, revenue_protected=10)
    client.get("/")  # warm the session and caches
    cache.clear()  # the value figures are computed (value.cache), at both sizes
    with CaptureQueriesContext(connection) as few:
        assert "Value promised and delivered" in client.get("/").content.decode()
    for _ in range(4):
        more = production_system()
        report(more, 2025, 3, revenue_protected=10)
        report(more, 2025, 4, revenue_protected=10)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/")


def test_portfolio_value_is_kept_until_a_report_changes_it(db, django_assert_num_queries):
    """Promised against delivered reads every reporting system: it is kept in the cache
    under the version of what it is made of, read in one query, and recomputed once a
    report (or a case, a stage, a rate) is written."""
    from initiatives.value.selectors import portfolio_value

    first = production_system()
    report(first, 2025, 3, revenue_protected=10)
    computed = portfolio_value()
    with django_assert_num_queries(1):  # the version only
        assert portfolio_value() == computed
    report(production_system(), 2025, 3, revenue_protected=30)
    changed = portfolio_value()
    assert changed != computed
    assert sum(u.systems for u in changed.totals.values()) == 2


def test_initiative_page_shows_planned_against_realised_and_the_payback_point(system):
    from tests.support.value import REPORTS

    for (year, quarter), values in REPORTS.items():
        report(system, year, quarter, **values)
    page = client_for(UserFactory()).get(f"/initiatives/{system.slug}/").content.decode()
    assert 'id="value-heading"' in page
    assert 'class="chart value-chart"' in page
    assert "paid back in 2026-Q2" in page
    assert "Report a quarter" not in page  # a viewer is not offered the form
