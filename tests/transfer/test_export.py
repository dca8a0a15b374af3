"""The initiative list and its CSV export (issue 7): filters, sorting by every column both
ways, pagination, and an export of exactly the filtered rows (every page), safe to open in
a spreadsheet and importable again without changing anything."""

import io
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import HealthStatus, RiskTier, Stage
from initiatives.models import (
    BusinessUnit,
    Initiative,
    OwnershipConfirmation,
    OwnershipHandover,
    StageTransition,
    Team,
)
from initiatives.transfer.export import EXPORT_COLUMNS
from initiatives.transfer.spreadsheet import FORMULA_STARTS, neutralise, restore
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    OwnershipHandoverFactory,
    TeamFactory,
    UserFactory,
)
from tests.support import dashboard_portfolio, exports
from tests.support.clients import listed_slugs
from tests.support.exports import people_rows, slug_of

pytestmark = pytest.mark.django_db

LIST = reverse("initiative-list")
# The importer's layout; the file for people is tested in test_export_for_people.py.
EXPORT = reverse("initiative-export-for-import")


class _Links(HTMLParser):
    """The page's links: (href, text)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def links(response) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(response.content.decode())
    return parser.links


def link(response, text: str) -> str:
    """The href of the link whose text starts with `text`, made absolute to the list."""
    found = [href for href, label in links(response) if label.startswith(text)]
    assert len(found) == 1, f"{text!r}: {found}"
    href = found[0]
    return f"{LIST}{href}" if href.startswith("?") else href


def csv_rows(response) -> list[dict]:
    return exports.csv_rows(response, EXPORT_COLUMNS)


def every_page(client, url: str) -> list[Initiative]:
    """The rows of every page of the list, following its "Next" links as a person would."""
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        rows += list(response.context["page_obj"].object_list)
        following = [href for href, text in links(response) if text == "Next →"]
        url = f"{LIST}{following[0]}" if following else ""
    return rows


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def portfolio(owner):
    now = timezone.now()
    return dashboard_portfolio.build(
        **{
            "r-prod-healthy": {
                "production_owner": owner,
                "owner_accepted_at": now - timedelta(days=9),
            },
            "r-prod-degraded": {
                "production_owner": owner,
                "owner_accepted_at": now - timedelta(days=9),
            },
            "c-pilot-50": {"production_owner": UserFactory(username="nominee")},
            "r-poc-40": {"risk_tier": RiskTier.HIGH},
            "c-poc-200": {"risk_tier": RiskTier.CRITICAL},
        }
    )


FILTERS = [
    ("stage=poc", {"r-poc-10", "r-poc-40", "r-poc-100", "c-poc-200"}),
    (
        "stage=pilot&stage=cancelled",
        {
            "r-pilot-30",
            "r-pilot-130",
            "c-pilot-50",
            "c-pilot-150",
            "c-pilot-back",
            "r-cancelled-idea",
            "c-cancelled-poc",
        },
    ),
    (
        "business_unit=Claims",
        {s for u, s, *_ in dashboard_portfolio.ROWS if u == "Claims"},
    ),
    ("risk_tier=high&risk_tier=critical", {"r-poc-40", "c-poc-200"}),
    ("owner=owner", {"r-prod-healthy", "r-prod-degraded"}),
    ("flag=stalled", {"r-poc-100", "r-pilot-130", "c-poc-200", "c-pilot-150"}),
    ("flag=ownerless", {"c-pilot-50"}),
    ("health=failing&health=silent", {"c-prod-failing", "r-prod-silent"}),  # not r-retired
    ("health=unchecked", {"c-prod-unchecked"}),
    (
        "reached=production",
        {
            "r-prod-healthy",
            "r-prod-degraded",
            "r-prod-silent",
            "r-retired",
            "c-pilot-back",
            "c-prod-failing",
            "c-prod-unchecked",
        },
    ),
    ("ownership_pending=true", {"c-pilot-50"}),
    ("q=pilot+back", {"c-pilot-back"}),
    ("q=C-POC", {"c-poc-200"}),  # the slug, any case
    ("business_unit=Retail&stage=pilot&flag=stalled", {"r-pilot-130"}),
    ("business_unit=Retail&health=degraded&ordering=-name", {"r-prod-degraded"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q for q, _ in FILTERS])
def test_each_filter_lists_and_exports_exactly_its_initiatives(
    portfolio, viewer, as_user, query, expected
):
    client = as_user(viewer)
    response = client.get(f"{LIST}?{query}")
    listed = listed_slugs(response)
    assert listed == expected
    assert f"{len(expected)} initiative" in response.content.decode()

    exported = people_rows(client.get(link(response, "Export these")))
    assert sorted(slug_of(row) for row in exported) == sorted(expected)
    # The same rows in the importer's layout.
    for_import = csv_rows(client.get(f"{EXPORT}?{query}"))
    assert sorted(row["slug"] for row in for_import) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=bogus", "stage"),
        ("business_unit=Nowhere", "business_unit"),
        ("health=purple", "health"),
        ("reached=idea", "reached"),
        ("ordering=password", "ordering"),
    ],
)
def test_a_bad_filter_is_a_field_error_on_the_list_and_no_file(
    portfolio, viewer, as_user, query, field
):
    client = as_user(viewer)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert "Select a valid choice" in " ".join(response.context["filter"].errors[field])

    exported = client.get(f"{EXPORT}?{query}")
    assert exported.status_code == 400
    assert f"{field}: Select a valid choice" in exported.content.decode()


# --- Sorting and pagination -------------------------------------------------------------------

WORDS = ["delta", "alpha", "echo", "bravo", "alpha", "charlie", "foxtrot", "golf", "hotel", "india"]


@pytest.fixture
def thirty(db):
    """30 initiatives over two pages, with ties in every column and empty owners and health."""
    now = timezone.now()
    units = [BusinessUnitFactory(name=name) for name in ("retail", "claims", "finance")]
    owners = [
        UserFactory(username=f"owner-{name}", first_name="Pat", last_name=name)
        for name in ("zhou", "adams", "moreau")
    ]
    stages = [*Stage.values]
    risks = [*RiskTier.values]
    health = ["", *HealthStatus.values]
    made = []
    for k in range(30):
        made.append(
            InitiativeFactory(
                name=WORDS[k % len(WORDS)],
                slug=f"row-{k:02d}",
                stage=stages[(k * 7) % len(stages)],
                stage_entered_at=now - timedelta(days=(k * 5) % 9),
                business_unit=units[k % 3],
                production_owner=owners[k % 4] if k % 4 < 3 else None,
                owner_accepted_at=now if k % 4 < 3 else None,
                risk_tier=risks[(k * 3) % len(risks)],
                health_status=health[k % len(health)],
            )
        )
    return made


STAGE_RANK = [Stage.IDEA, Stage.POC, Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED]
STAGE_RANK.append(Stage.CANCELLED)

# column header → the value a row is sorted by (None: empty, always last)
COLUMNS = {
    "Name": lambda i: i.name,
    "Stage": lambda i: STAGE_RANK.index(i.stage),
    "Days in stage": lambda i: -i.stage_entered_at.timestamp(),  # most days: entered first
    "Business unit": lambda i: i.business_unit.name,
    "Production owner": lambda i: i.production_owner.last_name if i.production_owner else None,
    "Risk": lambda i: RiskTier.values.index(i.risk_tier),
    "Health": lambda i: HealthStatus.values.index(i.health_status) if i.health_status else None,
}


def expected_order(initiatives, key, descending: bool) -> list[str]:
    """By the column, empty values last; ties by name, then id (always ascending)."""
    by_name = sorted(initiatives, key=lambda i: (i.name, i.pk))
    filled = [i for i in by_name if key(i) is not None]
    empty = [i for i in by_name if key(i) is None]
    return [i.slug for i in sorted(filled, key=key, reverse=descending) + empty]


@pytest.mark.parametrize("column", COLUMNS)
def test_every_column_sorts_both_ways_across_pages(thirty, viewer, as_user, column):
    client = as_user(viewer)
    key = COLUMNS[column]
    first = client.get(f"{LIST}?business_unit=&q=")  # what the empty form submits
    ascending_url = link(first, column)
    ascending = client.get(ascending_url)
    assert [t for _, t in links(ascending) if t.startswith(column)] == [f"{column} ▲"]
    descending_url = link(ascending, column)
    descending = client.get(descending_url)
    assert [t for _, t in links(descending) if t.startswith(column)] == [f"{column} ▼"]

    for url, descending in ((ascending_url, False), (descending_url, True)):
        rows = every_page(client, url)
        assert len(rows) == 30
        assert [i.slug for i in rows] == expected_order(thirty, key, descending), url


def test_pages_keep_the_filters_and_hold_25_rows(thirty, viewer, as_user):
    client = as_user(viewer)
    response = client.get(f"{LIST}?q=row&ordering=-stage_entered_at")
    assert len(response.context["page_obj"].object_list) == 25
    assert "page 1 of 2" in response.content.decode()
    second = link(response, "Next")
    assert "q=row" in second
    assert "ordering=-stage_entered_at" in second
    assert len(client.get(second).context["page_obj"].object_list) == 5
    # A page past the end (a shared link to a list that has shrunk) shows the last page.
    past_the_end = client.get(f"{LIST}?q=row&page=3")
    assert past_the_end.status_code == 200
    assert past_the_end.context["page_obj"].number == 2
    assert client.get(f"{LIST}?q=row&page=abc").context["page_obj"].number == 1
    # Sorting from page 2 starts again at page 1.
    sorted_from_second = link(client.get(second), "Name")
    assert "page=" not in sorted_from_second


# --- The CSV has exactly the filtered rows ----------------------------------------------------

SEARCH = '"100%" naïve_ “café” 日本'


def test_the_export_has_every_page_of_a_search_with_quotes_percent_underscore_and_unicode(
    viewer, as_user
):
    unit = BusinessUnitFactory(name="Retail")
    for k in range(30):
        InitiativeFactory(
            slug=f"match-{k:02d}", business_unit=unit, summary=f"Row {k}: {SEARCH} inside."
        )
    # Each would match if %, _ or the quotes were taken as wildcards or dropped.
    decoys = [
        '"100 and more" naïveZ “café” 日本',
        '"1000" naïve_ “café” 日本',
        "100% naïve_ “café” 日本",
        '"100%" naive_ "cafe" 日本',
    ]
    for k, summary in enumerate(decoys):
        InitiativeFactory(slug=f"decoy-{k}", business_unit=unit, summary=summary)
    client = as_user(viewer)

    response = client.get(LIST, {"q": SEARCH})
    assert response.context["paginator"].count == 30
    page = response.content.decode()
    assert "Export these 30 as CSV" in page
    assert 'value="&quot;100%&quot; naïve_ “café” 日本"' in page  # the search box keeps it

    listed = [
        i.slug for i in every_page(client, f"{LIST}?{urlsplit(link(response, 'Name')).query}")
    ]
    exported = people_rows(client.get(link(response, "Export these")))
    assert len(listed) == 30
    assert sorted(slug_of(row) for row in exported) == sorted(listed)
    assert all(SEARCH in row["Summary"] for row in exported)


def test_the_export_follows_the_lists_order(thirty, viewer, as_user):
    client = as_user(viewer)
    rows = csv_rows(client.get(f"{EXPORT}?ordering=-risk_tier"))
    key = COLUMNS["Risk"]
    assert [row["slug"] for row in rows] == expected_order(thirty, key, descending=True)


def test_the_export_writes_the_facts_of_each_row(viewer, owner, as_user):
    now = timezone.now()
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.PRODUCTION,
        production_owner=owner,
        owner_accepted_at=now - timedelta(days=3),
        owner_confirmed_at=now - timedelta(days=1),
        backup_owner=UserFactory(username="backup"),
        health_status=HealthStatus.DEGRADED,
        target_production_date=date(2027, 3, 31),
    )
    initiative.flags.create(kind="health_degraded")
    initiative.flags.create(kind="stalled", resolved_at=now)
    (row,) = csv_rows(as_user(viewer).get(EXPORT))
    assert row["health"] == "degraded"
    assert row["open_flags"] == "1"
    assert row["backup_owner"] == "backup"
    assert row["production_owner"] == "owner"
    assert row["target_production_date"] == "2027-03-31"
    assert row["url"] == "http://127.0.0.1:8000/initiatives/fraud-scoring/"


# --- Formula injection and markup -------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised_and_restored(start):
    value = f"{start}SUM(A1:A9)"
    assert neutralise(value) == f"'{value}"
    assert restore(neutralise(value)) == value
    # A value that already starts with an apostrophe before a formula keeps it.
    assert restore(neutralise(f"'{value}")) == f"'{value}"
    assert neutralise("Plain name") == "Plain name"
    assert neutralise("it's fine") == "it's fine"


def test_no_exported_cell_starts_a_formula(viewer, as_user):
    people = [UserFactory(username=name) for name in ("=cmd", "+ops", "-dash", "@risk")]
    InitiativeFactory(
        name='=HYPERLINK("http://evil.example","click")',
        slug="formula",
        summary="\tcmd|' /C calc'!A0",
        business_unit=BusinessUnitFactory(name="+Unit"),
        sponsor=people[0],
        production_owner=people[1],
        owning_team=TeamFactory(name="@team"),
        backup_owner=people[2],
    )
    InitiativeFactory(name="-2+3", slug="minus", summary="\rcarriage", sponsor=people[3])
    InitiativeFactory(name="@SUM(1)", slug="at")
    rows = csv_rows(as_user(viewer).get(EXPORT))
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert {row["slug"]: row["name"] for row in rows} == {
        "formula": '\'=HYPERLINK("http://evil.example","click")',
        "minus": "'-2+3",
        "at": "'@SUM(1)",
    }
    formula = next(row for row in rows if row["slug"] == "formula")
    assert formula["summary"] == "'\tcmd|' /C calc'!A0"
    assert (formula["sponsor"], formula["business_unit"], formula["owning_team"]) == (
        "'=cmd",
        "'+Unit",
        "'@team",
    )


def test_a_name_with_markup_is_exported_as_plain_text(viewer, as_user):
    InitiativeFactory(name="<script>alert(1)</script>", slug="scripted")
    response = as_user(viewer).get(EXPORT)
    assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    (row,) = csv_rows(response)
    assert row["name"] == "<script>alert(1)</script>"  # the text itself, not HTML


# --- An export imported again changes nothing -------------------------------------------------


def portfolio_state() -> dict:
    """Everything an import may write, read back from the database."""
    return {
        "initiatives": sorted(
            Initiative.objects.values_list(
                "slug",
                "name",
                "summary",
                "business_unit__name",
                "stage",
                "stage_entered_at",
                "sponsor__username",
                "production_owner__username",
                "owner_accepted_at",
                "owner_confirmed_at",
                "owning_team__name",
                "backup_owner__username",
                "risk_tier",
                "target_production_date",
            )
        ),
        "units": BusinessUnit.objects.count(),
        "teams": Team.objects.count(),
        "transitions": StageTransition.objects.count(),
        "handovers": OwnershipHandover.objects.count(),
        "confirmations": OwnershipConfirmation.objects.count(),
    }


def test_an_exported_file_imported_again_changes_nothing(viewer, as_user, tmp_path):
    now = timezone.now()
    unit = BusinessUnitFactory(name="Claims & Care")
    sponsor = UserFactory(username="@ops")
    owner = UserFactory(username="-mei")
    InitiativeFactory(
        name='=HYPERLINK("http://evil.example")',
        slug="formula-name",
        summary='Says "hello", with commas,\nand a second line; 日本 café.',
        business_unit=unit,
        stage=Stage.PRODUCTION,
        stage_entered_at=now - timedelta(days=40, microseconds=123457),
        sponsor=sponsor,
        production_owner=owner,
        owner_accepted_at=now - timedelta(days=50),
        owner_confirmed_at=now - timedelta(days=20, microseconds=654321),
        owning_team=TeamFactory(name="+Platform"),
        risk_tier=RiskTier.CRITICAL,
        target_production_date=date(2027, 1, 31),
    )
    InitiativeFactory(name="'=already quoted", slug="quoted", business_unit=unit)
    InitiativeFactory(name="-5% churn", slug="minus", business_unit=unit, stage=Stage.POC)
    InitiativeFactory(name="@risk", slug="at-risk", business_unit=unit, stage=Stage.CANCELLED)
    InitiativeFactory(name="Plain", slug="plain", business_unit=unit, summary="")
    before = portfolio_state()

    exported = as_user(viewer).get(EXPORT)
    path = tmp_path / "inventory.csv"
    path.write_bytes(b"".join(exported.streaming_content))
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    call_command("import_initiatives", str(path), "--as", admin.username, stdout=io.StringIO())

    assert portfolio_state() == before


def test_an_export_with_a_departed_owner_and_a_pending_handover_imports_back_unchanged(
    viewer, as_user, tmp_path
):
    """Found by review on the demo: a deactivated owner, and a pending handover (new owner
    named, the outgoing owner's confirmation date still stored), made the export fail to
    import; an unchanged re-import also wrote a history record for every row."""
    from initiatives.core.choices import HandoverStatus

    now = timezone.now()
    departed = UserFactory(username="felix", is_active=False)
    InitiativeFactory(
        slug="orphaned",
        stage=Stage.PRODUCTION,
        production_owner=departed,
        owner_accepted_at=now - timedelta(days=90),
        owner_confirmed_at=now - timedelta(days=60),
    )
    outgoing, incoming = UserFactory(username="amara"), UserFactory(username="olga")
    moving = InitiativeFactory(
        slug="moving",
        stage=Stage.PILOT,
        production_owner=incoming,
        owner_accepted_at=None,
        owner_confirmed_at=now - timedelta(days=3),  # amara's last confirmation
    )
    OwnershipHandoverFactory(
        initiative=moving, from_owner=outgoing, to_owner=incoming, status=HandoverStatus.PENDING
    )
    before = portfolio_state()
    history = Initiative.history.count()

    path = tmp_path / "inventory.csv"
    path.write_bytes(b"".join(as_user(viewer).get(EXPORT).streaming_content))
    out = io.StringIO()
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    call_command("import_initiatives", str(path), "--as", admin.username, stdout=out)

    assert "0 created, 0 updated, 2 unchanged" in out.getvalue()
    assert portfolio_state() == before
    assert Initiative.history.count() == history


def test_a_deactivated_person_cannot_be_given_a_role_by_import(tmp_path):
    from initiatives.transfer.importer import import_initiatives
    from initiatives.transfer.parsing import ImportFailed

    UserFactory(username="felix", is_active=False)
    InitiativeFactory(slug="unowned", stage=Stage.PILOT)
    content = b"name,slug,business_unit,stage,production_owner\nX,unowned,HR,pilot,felix\n"
    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="f.csv")
    assert [(e.column, e.message) for e in failure.value.errors] == [
        ("production_owner", "'felix' is deactivated.")
    ]


def test_a_repeated_column_is_refused_rather_than_one_value_lost():
    from initiatives.transfer.importer import import_initiatives
    from initiatives.transfer.parsing import ImportFailed

    content = b"name,name,slug,business_unit,stage\nA,B,dup,HR,idea\n"
    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="f.csv")
    assert (1, "name", "The column appears more than once; keep one.") in [
        (e.row, e.column, e.message) for e in failure.value.errors
    ]
    assert not Initiative.objects.filter(slug="dup").exists()
