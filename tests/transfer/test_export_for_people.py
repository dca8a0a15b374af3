"""The list page's CSV link: a file for people (names, labels, ISO dates without
microseconds, the current business case's money), safe in a spreadsheet, in a fixed number
of queries for any number of rows."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from initiatives.core.choices import BusinessCaseStatus, HealthStatus, RiskTier, Stage
from tests.factories import (
    BusinessCaseFactory,
    BusinessUnitFactory,
    InitiativeFactory,
    TeamFactory,
    UserFactory,
)
from tests.support.clients import client_for
from tests.support.exports import people_rows

pytestmark = pytest.mark.django_db

EXPORT = reverse("initiative-export")


@pytest.fixture
def fraud_scoring():
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        business_unit=BusinessUnitFactory(name="Retail banking"),
        stage=Stage.PRODUCTION,
        stage_entered_at=datetime(2026, 9, 1, 8, 30, 15, 654321, tzinfo=UTC),
        risk_tier=RiskTier.HIGH,
        sponsor=UserFactory(username="sp1", first_name="Sofia", last_name="Petrova"),
        production_owner=UserFactory(username="ow1", first_name="Omar", last_name="Wright"),
        owning_team=TeamFactory(name="Fraud analytics"),
        owner_confirmed_at=datetime(2026, 11, 2, 10, 0, 0, 123, tzinfo=UTC),
        target_production_date=date(2027, 3, 31),
        health_status=HealthStatus.DEGRADED,
    )
    initiative.flags.create(kind="health_degraded")
    return initiative


def test_the_file_names_people_stages_and_teams_not_codes(fraud_scoring, viewer):
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["Name"] == "Fraud scoring"
    assert row["Business unit"] == "Retail banking"
    assert row["Stage"] == "Production"
    assert row["Risk tier"] == "High"
    assert row["Sponsor"] == "Sofia Petrova"
    assert row["Production owner"] == "Omar Wright"
    assert row["Backup owner"] == ""
    assert row["Owning team"] == "Fraud analytics"
    assert row["Health"] == "Degraded"
    assert row["Open flags"] == "1"
    assert row["Link"] == "http://127.0.0.1:8000/initiatives/fraud-scoring/"


def test_dates_are_iso_without_microseconds(fraud_scoring, viewer):
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["In stage since"] == "2026-09-01T08:30:15+00:00"
    assert row["Owner last confirmed"] == "2026-11-02T10:00:00+00:00"
    assert row["Target production date"] == "2027-03-31"


def test_money_comes_from_the_approved_case_with_its_currency(fraud_scoring, viewer):
    BusinessCaseFactory(
        initiative=fraud_scoring, version=1, status=BusinessCaseStatus.APPROVED, currency="USD"
    )
    # A newer draft does not replace the approved case.
    BusinessCaseFactory(
        initiative=fraud_scoring, version=2, status=BusinessCaseStatus.DRAFT, build_cost=1
    )
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["Business case version"] == "1"
    assert row["Business case status"] == "Approved"
    assert row["Currency"] == "USD"
    assert row["Total annual benefit"] == "150000"  # 100,000 + 50,000, whole units
    assert row["Annual run cost"] == "12000"
    assert row["Net annual benefit"] == "138000"
    assert row["Build cost (one-time)"] == "80000"
    assert row["Three-year ROI"].endswith(" %")


def test_without_an_approved_case_the_latest_one_is_shown(fraud_scoring, viewer):
    BusinessCaseFactory(initiative=fraud_scoring, version=1, status=BusinessCaseStatus.REJECTED)
    BusinessCaseFactory(
        initiative=fraud_scoring,
        version=2,
        status=BusinessCaseStatus.SUBMITTED,
        build_cost=Decimal("99999.50"),
    )
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["Business case version"] == "2"
    assert row["Business case status"] == "Submitted for review"
    assert row["Build cost (one-time)"] == "100000"


def test_an_initiative_without_a_case_has_empty_money_cells(fraud_scoring, viewer):
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["Currency"] == row["Net annual benefit"] == row["Business case version"] == ""


def test_a_name_that_a_spreadsheet_would_run_is_neutralised(viewer):
    InitiativeFactory(name="=HYPERLINK(1)", sponsor=UserFactory(first_name="+Eve", last_name=""))
    (row,) = people_rows(client_for(viewer).get(EXPORT))
    assert row["Name"] == "'=HYPERLINK(1)"
    assert row["Sponsor"] == "'+Eve"


def test_the_filters_of_the_list_apply(fraud_scoring, viewer):
    InitiativeFactory(stage=Stage.POC)
    rows = people_rows(client_for(viewer).get(f"{EXPORT}?stage=production"))
    assert [row["Name"] for row in rows] == ["Fraud scoring"]


def test_the_file_takes_the_same_queries_for_3_or_30_initiatives(viewer, django_assert_num_queries):
    client = client_for(viewer)
    client.get("/")  # the session and the user are loaded once, outside the count

    def make(count: int) -> None:
        for _ in range(count):
            initiative = InitiativeFactory(
                sponsor=UserFactory(), production_owner=UserFactory(), owning_team=TeamFactory()
            )
            BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.APPROVED)

    make(3)
    with django_assert_num_queries(QUERIES):
        assert len(people_rows(client.get(EXPORT))) == 3
    make(27)
    with django_assert_num_queries(QUERIES):
        assert len(people_rows(client.get(EXPORT))) == 30


# The session, the user and the session's refresh (three queries and two savepoints), then
# the initiatives (with their people, unit, team and open flags) and their current cases.
QUERIES = 7


def test_anonymous_people_are_sent_to_sign_in():
    response = client_for(None).get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
