"""The list page and the API list read only the rows they show (issue 19): PostgreSQL's own
plan of the query each really runs, at 2,000 initiatives, picks the page's ids through the
index of its order and sorts nothing but the page.

The planner runs with its defaults (`random_page_cost` 4, as a stock PostgreSQL): no hint
makes the index look cheaper than it is. The statistics are real: the rows are ANALYZEd.
"""

import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import HealthStatus, RiskTier, Stage
from initiatives.models import Initiative
from initiatives.portfolio.filtersets import InitiativeFilterSet
from tests.factories import BusinessUnitFactory, UserFactory
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db

ROWS = 2_000
TABLE = Initiative._meta.db_table
ORDERINGS = [
    "",  # the default: by name
    *(
        f"{sign}{column}"
        for column in (
            "name",
            "stage",
            "stage_entered_at",
            "days_in_stage",
            "risk_tier",
            "health",
            "owner_confirmed_at",
        )
        for sign in ("", "-")
    ),
]


@pytest.fixture
def portfolio(db):
    units = [BusinessUnitFactory(name=f"Unit {i}") for i in range(8)]
    people = [UserFactory(username=f"person-{i}") for i in range(10)]
    rng = random.Random(19)
    now = timezone.now()
    Initiative.objects.bulk_create(
        Initiative(
            name=f"Initiative {rng.randrange(10**6):06d}",
            slug=f"initiative-{i:05d}",
            summary="Scores something for somebody.",
            business_unit=rng.choice(units),
            stage=rng.choice(Stage.values),
            stage_entered_at=now - timedelta(minutes=rng.randrange(10**6)),
            risk_tier=rng.choice(RiskTier.values),
            health_status=rng.choice(["", *HealthStatus.values]),
            sponsor=rng.choice(people),
            production_owner=rng.choice(people) if i % 2 else None,
            owner_confirmed_at=now - timedelta(days=i % 400) if i % 3 else None,
        )
        for i in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")


def page_query(queries) -> str:
    """The one query that reads the page's rows: the initiatives whose ids a subquery
    picks (the count and the open flags' prefetch are the others)."""
    found = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT")
        and f'FROM "{TABLE}"' in q["sql"]
        and " = ANY(ARRAY(SELECT" in q["sql"]
    ]
    assert len(found) == 1, [q["sql"][:120] for q in queries]
    return found[0]


def plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def reads_the_table(node: dict) -> bool:
    return any(
        n["Node Type"] == "Seq Scan" and n.get("Relation Name") == TABLE for n in nodes(node)
    )


def assert_reads_the_page_through_an_index(sql: str, ordering: str) -> None:
    root = plan(sql)
    shown = f"ordering={ordering!r}\n{json.dumps(root, indent=1)}"
    limits = [n for n in nodes(root) if n["Node Type"] == "Limit"]
    assert limits, shown
    under_limit = [n for limit in limits for n in nodes(limit)]
    assert any(
        n["Node Type"] in ("Index Scan", "Index Only Scan", "Index Scan Backward")
        and n.get("Relation Name") == TABLE
        and n.get("Index Name", "").startswith("initiative_sort_")
        for n in under_limit
    ), shown
    whole_table_sorts = [
        n
        for n in nodes(root)
        if n["Node Type"] in ("Sort", "Incremental Sort") and reads_the_table(n)
    ]
    assert not whole_table_sorts, shown
    assert not reads_the_table(root), shown


def test_each_order_of_the_list_page_reads_its_rows_through_the_index_of_that_order(
    portfolio, viewer, as_user
):
    client = as_user(viewer)
    for ordering in ORDERINGS:  # one arrangement for all: 2,000 rows take a while to write
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("initiative-list"), {"ordering": ordering, "page": 3})
        assert response.status_code == 200
        assert len(response.context["object_list"]) == 25
        assert_reads_the_page_through_an_index(page_query(queries), ordering)


def test_the_api_list_reads_its_rows_through_an_index_and_keeps_the_order(portfolio, viewer):
    client = api_client_for(viewer)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/initiatives/", {"page": 2}).json()
    assert body["count"] == ROWS
    assert len(body["results"]) == 50
    assert_reads_the_page_through_an_index(page_query(queries), "")
    # The orders through a join too; the page is the one a plain slice of the same filter
    # set's order gives (every row joined and sorted).
    for ordering in ("", "-stage", "health", "business_unit", "-owner"):
        body = client.get("/api/v1/initiatives/", {"ordering": ordering, "page": 4}).json()
        plain = InitiativeFilterSet({"ordering": ordering}, queryset=Initiative.objects.all())
        assert [r["slug"] for r in body["results"]] == [i.slug for i in plain.qs[150:200]]


def test_the_list_takes_its_length_from_the_dashboards_counters(viewer, as_user):
    """Unfiltered, or filtered by what the dashboards count (one stage, a flag, needs
    attention, ...; with or without one business unit), the list's length is the counter's:
    exact, and no COUNT over the initiatives. Other filters count their rows."""
    north, south = BusinessUnitFactory(name="North"), BusinessUnitFactory(name="South")
    Initiative.objects.bulk_create(
        Initiative(
            name=f"Initiative {i:03d}",
            slug=f"i-{i:03d}",
            business_unit=north if i % 3 else south,
            stage=Stage.POC if i % 2 else Stage.IDEA,
        )
        for i in range(180)
    )
    client = as_user(viewer)
    list_url = reverse("initiative-list")

    def length(query: dict) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(list_url, query)
        counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
        return response.context["paginator"].count, counts

    client.get(list_url)  # the session, outside the count
    assert length({}) == (180, [])
    assert length({"stage": "poc"}) == (90, [])
    assert length({"stage": "poc", "business_unit": "South"}) == (30, [])
    page = client.get(list_url, {"stage": "poc", "business_unit": "South"}).content.decode()
    assert "30 initiatives, page 1 of 2" in page
    assert "Export these 30 as CSV" in page
    # Two stages, or a search: the rows are counted.
    query = {"stage": ["poc", "idea"], "q": "Initiative 1"}
    counted, counts = length(query)
    assert counted == InitiativeFilterSet(query, queryset=Initiative.objects.all()).qs.count()
    assert 0 < counted < 180
    assert len(counts) == 1
    last = client.get(list_url, {"page": "last"})
    assert [i.name for i in last.context["object_list"]][-1] == "Initiative 179"
