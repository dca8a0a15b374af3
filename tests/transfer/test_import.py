"""Importing an existing inventory from CSV (README "Import").

The service (`import_initiatives`), the command (`import_initiatives FILE.csv`) and the
administrators-only upload page. The whole file is validated first; any error is reported by row
(the header being row 1) and column, and nothing is imported. A re-import updates.
"""

import csv
import io
import time
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import ConfirmationChannel, EventKind, HandoverStatus, RiskTier, Stage
from initiatives.models import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    OwnershipConfirmation,
    OwnershipHandover,
    StageTransition,
    Team,
)
from initiatives.ownership.services import handover_start
from initiatives.transfer.importer import import_initiatives
from initiatives.transfer.parsing import COLUMNS, ImportFailed
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    OwnershipHandoverFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Arranging files ------------------------------------------------------------------------


def inventory(*rows: dict, columns=COLUMNS) -> bytes:
    """A CSV file as a spreadsheet would export it: every column, blanks where not given."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def at(*parts: int) -> datetime:
    """An aware datetime in the portal's time zone, as the import reads a written date."""
    return datetime(*parts, tzinfo=timezone.get_current_timezone())


def problems(failure: pytest.ExceptionInfo) -> list[tuple[int, str]]:
    return sorted((error.row, error.column) for error in failure.value.errors)


def message_for(failure: pytest.ExceptionInfo, row: int, column: str) -> str:
    return next(e.message for e in failure.value.errors if (e.row, e.column) == (row, column))


def snapshot() -> dict[str, int]:
    """How many of everything an import may write."""
    return {
        "initiatives": Initiative.objects.count(),
        "business units": BusinessUnit.objects.count(),
        "teams": Team.objects.count(),
        "handovers": OwnershipHandover.objects.count(),
        "confirmations": OwnershipConfirmation.objects.count(),
        "transitions": StageTransition.objects.count(),
        "events": InitiativeEvent.objects.count(),
        "history": Initiative.history.count(),
    }


FRAUD_SCORING = {
    "name": "Fraud scoring",
    "slug": "fraud-scoring",
    "summary": "Scores card payments in real time.",
    "business_unit": "Retail Banking",
    "stage": "pilot",
    "stage_entered_at": "2023-04-01 09:30",
    "sponsor": "OLGA",  # username, other case
    "production_owner": "ivan.petrov@EXAMPLE.com",  # e-mail, other case
    "owning_team": "Payments Platform",
    "owner_confirmed_at": "2024-01-15 14:00",
    "risk_tier": "high",
    "target_production_date": "2025-06-30",
}
CHURN_FORECAST = {  # the fewest columns a row may have; the slug is made from the name
    "name": "Churn forecast",
    "business_unit": "retail banking",
    "stage": "idea",
}
DOCUMENT_TRIAGE = {
    "name": "Document triage",
    "slug": "document-triage",
    "business_unit": "Operations",
    "stage": "production",
    "stage_entered_at": "2022-11-30",
    "sponsor": "Olga.Sidorova@Example.com",  # e-mail, other case
    "production_owner": "IPETROV",  # username, other case
    "owning_team": "payments platform",
}


@pytest.fixture
def ivan(db):
    return UserFactory(username="ipetrov", email="Ivan.Petrov@example.com")


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", email="olga.sidorova@example.com")


def good_file() -> bytes:
    return inventory(FRAUD_SCORING, CHURN_FORECAST, DOCUMENT_TRIAGE)


# --- A good file ----------------------------------------------------------------------------


def test_good_file_creates_every_row_with_every_column_honoured(ivan, olga):
    before = timezone.now()
    result = import_initiatives(good_file(), source="inventory.csv")
    after = timezone.now()

    assert (result.created, result.updated) == (3, 0)
    assert result.slugs == ["fraud-scoring", "churn-forecast", "document-triage"]
    assert Initiative.objects.count() == 3

    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.name == "Fraud scoring"
    assert fraud.summary == "Scores card payments in real time."
    assert fraud.business_unit.name == "Retail Banking"
    assert fraud.stage == Stage.PILOT
    assert fraud.sponsor == olga
    assert fraud.production_owner == ivan
    assert fraud.owning_team.name == "Payments Platform"
    assert fraud.risk_tier == RiskTier.HIGH
    assert fraud.target_production_date == date(2025, 6, 30)

    churn = Initiative.objects.get(slug="churn-forecast")
    assert churn.name == "Churn forecast"
    assert churn.summary == ""
    assert churn.stage == Stage.IDEA
    assert churn.sponsor is None
    assert churn.production_owner is None
    assert churn.owning_team is None
    assert churn.risk_tier == RiskTier.MEDIUM
    assert churn.target_production_date is None
    assert before <= churn.stage_entered_at <= after  # no date given: entered now

    docs = Initiative.objects.get(slug="document-triage")
    assert docs.stage == Stage.PRODUCTION
    assert docs.sponsor == olga
    assert docs.production_owner == ivan
    assert docs.owner_confirmed_at is None
    assert before <= docs.owner_accepted_at <= after


def test_historical_dates_are_kept_as_given_not_now(ivan, olga):
    import_initiatives(good_file(), source="inventory.csv")

    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.stage_entered_at == at(2023, 4, 1, 9, 30)
    assert fraud.owner_confirmed_at == at(2024, 1, 15, 14, 0)
    assert fraud.owner_accepted_at == at(2024, 1, 15, 14, 0)
    docs = Initiative.objects.get(slug="document-triage")
    assert docs.stage_entered_at == at(2022, 11, 30)  # a date alone means midnight
    # Importing what already happened is not a change of stage.
    assert not StageTransition.objects.exists()


def test_people_are_matched_by_username_or_email_ignoring_case(ivan, olga):
    UserFactory(username="bystander", email="bystander@example.com")

    import_initiatives(good_file(), source="inventory.csv")

    fraud = Initiative.objects.get(slug="fraud-scoring")
    docs = Initiative.objects.get(slug="document-triage")
    assert (fraud.sponsor, fraud.production_owner) == (olga, ivan)  # username / e-mail
    assert (docs.sponsor, docs.production_owner) == (olga, ivan)  # e-mail / username


def test_business_units_and_owning_teams_are_created_by_name_once(ivan, olga):
    import_initiatives(good_file(), source="inventory.csv")

    # "Retail Banking" and "retail banking" are one unit; so are the two spellings of the team.
    assert sorted(BusinessUnit.objects.values_list("name", flat=True)) == [
        "Operations",
        "Retail Banking",
    ]
    assert list(Team.objects.values_list("name", flat=True)) == ["Payments Platform"]
    team = Team.objects.get()
    assert set(team.initiatives.values_list("slug", flat=True)) == {
        "fraud-scoring",
        "document-triage",
    }


def test_existing_business_units_and_teams_are_reused_ignoring_case(ivan, olga):
    unit = BusinessUnitFactory(name="RETAIL BANKING")
    team = TeamFactory(name="Payments platform")

    import_initiatives(good_file(), source="inventory.csv")

    assert Initiative.objects.get(slug="fraud-scoring").business_unit == unit
    assert Initiative.objects.get(slug="churn-forecast").business_unit == unit
    assert Initiative.objects.get(slug="fraud-scoring").owning_team == team
    assert BusinessUnit.objects.count() == 2  # RETAIL BANKING and the new Operations
    assert Team.objects.count() == 1


def test_an_imported_owner_is_recorded_as_an_accepted_handover(ivan, olga):
    before = timezone.now()
    import_initiatives(good_file(), source="inventory.csv")
    after = timezone.now()

    fraud = Initiative.objects.get(slug="fraud-scoring")
    handover = fraud.handovers.get()
    assert handover.status == HandoverStatus.ACCEPTED
    assert handover.from_owner is None
    assert handover.to_owner == ivan
    assert handover.owning_team == fraud.owning_team
    assert handover.requested_at == handover.decided_at == at(2024, 1, 15, 14, 0)
    assert (handover.confirms_skills, handover.confirms_mandate, handover.confirms_budget) == (
        True,
        True,
        True,
    )
    assert handover.note == "Imported from inventory.csv"
    assert not fraud.ownership_pending
    confirmation = fraud.confirmations.get()
    assert (confirmation.owner, confirmation.confirmed_at, confirmation.channel) == (
        ivan,
        at(2024, 1, 15, 14, 0),
        ConfirmationChannel.IMPORT,
    )

    # Without a confirmation date the handover is accepted now, and nothing is confirmed.
    docs = Initiative.objects.get(slug="document-triage")
    docs_handover = docs.handovers.get()
    assert docs_handover.status == HandoverStatus.ACCEPTED
    assert before <= docs_handover.decided_at <= after
    assert not docs.confirmations.exists()

    assert not Initiative.objects.get(slug="churn-forecast").handovers.exists()


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out():
    content = b"stage,business_unit,name\npoc,Retail,Churn forecast\n"

    result = import_initiatives(content, source="inventory.csv")

    assert result.created == 1
    churn = Initiative.objects.get(slug="churn-forecast")
    assert (churn.name, churn.business_unit.name, churn.stage) == (
        "Churn forecast",
        "Retail",
        Stage.POC,
    )


# --- A file with errors ---------------------------------------------------------------------


def test_file_with_errors_in_several_rows_imports_nothing_and_reports_each(ivan, olga):
    existing = InitiativeFactory(slug="fraud-scoring", name="Old name", stage=Stage.IDEA)
    OwnershipHandoverFactory(initiative=existing, to_owner=olga, status=HandoverStatus.ACCEPTED)
    counts = snapshot()
    content = inventory(
        FRAUD_SCORING,  # row 2: fine on its own
        {"name": "Chatbot", "business_unit": "Retail Banking", "stage": "prototype"},
        {
            "name": "Claims triage",
            "business_unit": "Insurance",
            "stage": "poc",
            "stage_entered_at": "31/31/2023",
        },
        {"name": "x" * 201, "slug": "long-name", "business_unit": "Insurance", "stage": "idea"},
        {
            "name": "Pricing",
            "business_unit": "Insurance",
            "stage": "idea",
            "sponsor": "nobody",
            "production_owner": "ghost@example.com",
        },
        {
            "name": "Fraud scoring v2",
            "slug": "fraud-scoring",
            "business_unit": "Retail Banking",
            "stage": "idea",
        },
        {
            "name": "Cash forecasting",
            "business_unit": "Treasury",
            "stage": "poc",
            "stage_entered_at": "2999-01-01",
            "production_owner": "olga",
            "owning_team": "Treasury Analytics",
            "owner_confirmed_at": "2999-06-01 12:00",
        },
    )

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [
        (3, "stage"),
        (4, "stage_entered_at"),
        (5, "name"),
        (6, "production_owner"),
        (6, "sponsor"),
        (7, "slug"),
        (8, "owner_confirmed_at"),
        (8, "stage_entered_at"),
    ]
    assert "prototype" in message_for(failure, 3, "stage")
    assert "200" in message_for(failure, 5, "name")
    assert message_for(failure, 6, "sponsor") == (
        "No single person has username or e-mail 'nobody'."
    )
    assert "ghost@example.com" in message_for(failure, 6, "production_owner")
    assert message_for(failure, 7, "slug") == "'fraud-scoring' is also on row 2."
    assert message_for(failure, 8, "stage_entered_at") == "This date is in the future."
    assert message_for(failure, 8, "owner_confirmed_at") == "This date is in the future."
    # Nothing imported, not even the good row, its unit, team or handover.
    assert snapshot() == counts
    existing.refresh_from_db()
    assert (existing.name, existing.stage) == ("Old name", Stage.IDEA)


def test_unknown_and_missing_columns_in_the_header_are_reported_on_row_one():
    content = b"name,slug,colour,business_unit\nFraud scoring,fraud-scoring,red,Retail\n"

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(1, "colour"), (1, "stage")]
    assert message_for(failure, 1, "colour").startswith("Unknown column.")
    assert message_for(failure, 1, "stage") == "Required column is missing."
    assert not Initiative.objects.exists()
    assert not BusinessUnit.objects.exists()


def test_header_problems_and_row_problems_in_one_file_are_reported_together():
    content = inventory(
        {"name": "Fraud scoring", "business_unit": "Retail", "stage": "prototype", "colour": ""},
        {"name": "Churn forecast", "business_unit": "Retail", "stage": "idea", "colour": ""},
        {"name": "Fraud scoring", "business_unit": "Retail", "stage": "idea", "colour": ""},
        columns=["name", "business_unit", "stage", "colour"],
    )

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert {(1, "colour"), (2, "stage"), (4, "slug")} <= set(problems(failure))
    assert not Initiative.objects.exists()


def test_an_empty_file_a_header_alone_and_a_row_too_long_are_reported():
    with pytest.raises(ImportFailed) as empty:
        import_initiatives(b"", source="empty.csv")
    assert problems(empty) == [(1, "")]

    with pytest.raises(ImportFailed) as header_only:
        import_initiatives(b"name,business_unit,stage\r\n", source="header.csv")
    assert problems(header_only) == [(2, "")]
    assert "no rows" in header_only.value.errors[0].message

    with pytest.raises(ImportFailed) as too_long:
        import_initiatives(
            b"name,business_unit,stage\nFraud scoring,Retail,idea,surplus\nChurn,Retail,idea\n",
            source="wide.csv",
        )
    assert problems(too_long) == [(2, "")]
    assert not Initiative.objects.exists()


def test_a_confirmation_date_without_an_owner_and_an_unknown_risk_tier_are_refused():
    content = inventory(
        {
            "name": "Fraud scoring",
            "business_unit": "Retail",
            "stage": "idea",
            "owner_confirmed_at": "2024-01-15",
            "risk_tier": "extreme",
        }
    )

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(2, "owner_confirmed_at"), (2, "risk_tier")]
    assert "production_owner" in message_for(failure, 2, "owner_confirmed_at")


def test_a_person_matching_two_accounts_is_refused_as_ambiguous(ivan):
    UserFactory(username="ivan.petrov@example.com", email="someone.else@example.com")
    content = inventory({**CHURN_FORECAST, "sponsor": "Ivan.Petrov@example.com"})

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(2, "sponsor")]
    assert not Initiative.objects.exists()


def test_a_deactivated_sponsor_is_refused():
    UserFactory(username="retired", is_active=False)
    content = inventory({**CHURN_FORECAST, "sponsor": "retired"})

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(2, "sponsor")]
    assert message_for(failure, 2, "sponsor") == "'retired' is deactivated."


def test_a_deactivated_production_owner_is_refused():
    UserFactory(username="retired", is_active=False)
    content = inventory({**CHURN_FORECAST, "production_owner": "retired"})

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(2, "production_owner")]
    assert not Initiative.objects.exists()


def test_naming_the_backup_owner_as_production_owner_is_reported_by_row(ivan):
    InitiativeFactory(slug="fraud-scoring", backup_owner=ivan)
    content = inventory(
        {**CHURN_FORECAST, "slug": "fraud-scoring", "production_owner": "ipetrov"},
    )

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert problems(failure) == [(2, "production_owner")]


def test_an_unbalanced_quote_is_reported_not_a_crash():
    content = b'name,business_unit,stage\n"Fraud scoring,Retail,idea\n' + (
        b"Churn forecast,Retail,idea\n" * 6000
    )

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="inventory.csv")

    assert failure.value.errors[0].row == 2


def test_a_file_naming_hundreds_of_people_is_validated():
    rows = [
        {"name": f"Initiative {n}", "business_unit": "Retail", "stage": "idea", "sponsor": f"p{n}"}
        for n in range(600)
    ]

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(inventory(*rows), source="inventory.csv")

    assert problems(failure) == sorted((n + 2, "sponsor") for n in range(600))


# --- Importing again ------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing_and_never_duplicates(ivan, olga):
    import_initiatives(good_file(), source="inventory.csv")
    counts = snapshot()
    history = Initiative.history.count()

    result = import_initiatives(good_file(), source="inventory.csv")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    # Nothing changed, so nothing claims it did: no history record, no "updated" event.
    assert Initiative.history.count() == history
    assert not InitiativeEvent.objects.filter(params__outcome="updated").exists()
    after = snapshot()
    for kind in ("initiatives", "business units", "teams", "handovers", "confirmations"):
        assert after[kind] == counts[kind], kind
    assert after["transitions"] == 0
    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.stage_entered_at == at(2023, 4, 1, 9, 30)
    assert fraud.owner_confirmed_at == at(2024, 1, 15, 14, 0)
    assert fraud.production_owner == ivan


def test_a_file_of_new_and_known_rows_counts_each(ivan, olga):
    import_initiatives(inventory(FRAUD_SCORING), source="first.csv")

    result = import_initiatives(good_file(), source="second.csv")

    assert (result.created, result.updated, result.unchanged) == (2, 0, 1)
    assert Initiative.objects.count() == 3


def test_reimport_changes_the_columns_the_file_changes(ivan, olga):
    import_initiatives(inventory(FRAUD_SCORING), source="first.csv")

    import_initiatives(
        inventory(
            {
                **FRAUD_SCORING,
                "name": "Card fraud scoring",
                "summary": "Now also scores transfers.",
                "business_unit": "Payments",
                "risk_tier": "critical",
                "sponsor": "",
                "target_production_date": "2026-01-31",
            }
        ),
        source="second.csv",
    )

    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.name == "Card fraud scoring"
    assert fraud.summary == "Now also scores transfers."
    assert fraud.business_unit.name == "Payments"
    assert fraud.risk_tier == RiskTier.CRITICAL
    assert fraud.sponsor is None
    assert fraud.target_production_date == date(2026, 1, 31)


def test_a_changed_stage_on_reimport_records_a_stage_transition(ivan, olga):
    first = {**CHURN_FORECAST, "slug": "churn", "stage": "poc", "stage_entered_at": "2023-01-10"}
    import_initiatives(inventory(first), source="first.csv")

    import_initiatives(
        inventory({**first, "stage": "pilot", "stage_entered_at": "2023-06-01 08:00"}),
        source="second.csv",
    )

    churn = Initiative.objects.get(slug="churn")
    assert churn.stage == Stage.PILOT
    assert churn.stage_entered_at == at(2023, 6, 1, 8, 0)
    transition = churn.transitions.get()
    assert (transition.from_stage, transition.to_stage, transition.at) == (
        Stage.POC,
        Stage.PILOT,
        at(2023, 6, 1, 8, 0),
    )
    assert transition.note == "Imported from second.csv"
    assert churn.events.filter(kind=EventKind.STAGE_CHANGED).count() == 1


def test_a_changed_stage_without_a_date_is_dated_at_the_import():
    first = {**CHURN_FORECAST, "stage": "pilot", "stage_entered_at": "2023-01-10"}
    import_initiatives(inventory(first), source="first.csv")

    before = timezone.now()
    import_initiatives(
        inventory({**first, "stage": "poc", "stage_entered_at": ""}), source="second.csv"
    )
    after = timezone.now()

    churn = Initiative.objects.get(slug="churn-forecast")
    transition = churn.transitions.get()
    # Backwards, and through no gate: the import records history as it was.
    assert (transition.from_stage, transition.to_stage) == (Stage.PILOT, Stage.POC)
    assert before <= transition.at == churn.stage_entered_at <= after


def test_a_new_date_for_the_same_stage_corrects_stage_entered_at_without_a_transition():
    first = {**CHURN_FORECAST, "stage": "poc", "stage_entered_at": "2023-01-10"}
    import_initiatives(inventory(first), source="first.csv")

    import_initiatives(inventory({**first, "stage_entered_at": "2022-12-01"}), source="fix.csv")

    churn = Initiative.objects.get(slug="churn-forecast")
    assert churn.stage_entered_at == at(2022, 12, 1)
    assert not churn.transitions.exists()


def test_a_stage_change_on_reimport_is_recorded_as_the_importers(staff):
    first = {**CHURN_FORECAST, "stage": "poc"}
    import_initiatives(inventory(first), actor=staff, source="first.csv")

    import_initiatives(inventory({**first, "stage": "pilot"}), actor=staff, source="second.csv")

    transition = StageTransition.objects.get()
    assert transition.actor == staff


def test_a_changed_owner_on_reimport_records_a_new_accepted_handover(ivan, olga):
    import_initiatives(inventory(FRAUD_SCORING), source="first.csv")
    fraud = Initiative.objects.get(slug="fraud-scoring")
    somebody = UserFactory(username="somebody")
    pending = OwnershipHandoverFactory(
        initiative=fraud,
        to_owner=somebody,
        from_owner=ivan,
        from_owner_accepted_at=fraud.owner_accepted_at,
    )

    import_initiatives(
        inventory(
            {**FRAUD_SCORING, "production_owner": "olga", "owner_confirmed_at": "2024-05-02"}
        ),
        source="second.csv",
    )

    fraud.refresh_from_db()
    assert fraud.production_owner == olga
    assert fraud.owner_accepted_at == fraud.owner_confirmed_at == at(2024, 5, 2)
    assert fraud.handovers.count() == 3
    latest = fraud.handovers.filter(to_owner=olga).get()
    assert (latest.status, latest.from_owner, latest.decided_at) == (
        HandoverStatus.ACCEPTED,
        ivan,
        at(2024, 5, 2),
    )
    assert latest.from_owner_accepted_at == at(2024, 1, 15, 14, 0)
    pending.refresh_from_db()
    assert pending.status == HandoverStatus.SUPERSEDED
    assert fraud.confirmations.order_by("confirmed_at").last().owner == olga


def test_an_import_over_a_pending_handover_hands_over_from_the_owner_who_accepted(ivan, olga):
    import_initiatives(inventory(FRAUD_SCORING), source="first.csv")
    fraud = Initiative.objects.get(slug="fraud-scoring")
    nominee = UserFactory(username="nominee")
    pending = handover_start(initiative=fraud, actor=UserFactory(governance=True), to_owner=nominee)

    import_initiatives(
        inventory({**FRAUD_SCORING, "production_owner": "olga"}), source="second.csv"
    )

    imported = Initiative.objects.get(slug="fraud-scoring").handovers.get(to_owner=olga)
    assert (imported.from_owner, imported.from_owner_accepted_at) == (ivan, at(2024, 1, 15, 14, 0))
    pending.refresh_from_db()
    assert pending.status == HandoverStatus.SUPERSEDED


def test_a_later_confirmation_date_for_the_same_owner_is_recorded(ivan, olga):
    import_initiatives(inventory(FRAUD_SCORING), source="first.csv")

    import_initiatives(
        inventory({**FRAUD_SCORING, "owner_confirmed_at": "2024-09-01"}), source="second.csv"
    )

    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.owner_confirmed_at == at(2024, 9, 1)
    assert fraud.handovers.count() == 1
    assert fraud.confirmations.count() == 2


def test_a_failed_reimport_leaves_the_first_import_untouched(ivan, olga):
    import_initiatives(good_file(), source="first.csv")
    counts = snapshot()

    with pytest.raises(ImportFailed):
        import_initiatives(
            inventory(
                {**FRAUD_SCORING, "stage": "production", "production_owner": "olga"},
                {**CHURN_FORECAST, "stage": "nonsense"},
            ),
            source="second.csv",
        )

    assert snapshot() == counts
    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert (fraud.stage, fraud.production_owner) == (Stage.PILOT, ivan)


# --- Encodings and line endings -------------------------------------------------------------


BOM_CRLF_FILE = (
    b"\xef\xbb\xbf"
    b"name,slug,business_unit,stage,stage_entered_at\r\n"
    b"\r\n"
    b"Fraud scoring,fraud-scoring,Retail,pilot,2023-04-01\r\n"
    b"\r\n"
    b",,,,\r\n"
    b"Churn forecast,,Retail,idea,\r\n"
    b"\r\n"
)


def test_a_file_with_a_bom_blank_lines_and_windows_line_endings_imports():
    result = import_initiatives(BOM_CRLF_FILE, source="excel.csv")

    assert (result.created, result.updated) == (2, 0)
    fraud = Initiative.objects.get(slug="fraud-scoring")
    assert fraud.name == "Fraud scoring"
    assert fraud.stage == Stage.PILOT
    assert fraud.stage_entered_at == at(2023, 4, 1)
    churn = Initiative.objects.get(slug="churn-forecast")
    assert (churn.name, churn.stage) == ("Churn forecast", Stage.IDEA)
    assert list(BusinessUnit.objects.values_list("name", flat=True)) == ["Retail"]


def test_row_numbers_count_blank_lines_as_the_spreadsheet_does():
    content = BOM_CRLF_FILE.replace(b"Churn forecast,,Retail,idea", b"Churn forecast,,Retail,bogus")

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="excel.csv")

    assert problems(failure) == [(6, "stage")]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_a_file_that_is_not_utf8_is_refused_with_a_clear_error(encoding):
    content = "name,business_unit,stage\nCafé crème,Retail,idea\n".encode(encoding)

    with pytest.raises(ImportFailed) as failure:
        import_initiatives(content, source="legacy.csv")

    [error] = failure.value.errors
    assert "not UTF-8" in error.message
    assert not Initiative.objects.exists()
    assert not BusinessUnit.objects.exists()


# --- Quotes, commas, unicode and markup -----------------------------------------------------


TRICKY_NAME = 'Say "hi", <script>alert(1)</script> — café ☕ 数据'
TRICKY_FILE = (
    "name,business_unit,stage,summary\n"
    '"Say ""hi"", <script>alert(1)</script> — café ☕ 数据","R&D, Labs",idea,'
    '"Line one\nline two, with ""quotes"" & <b>tags</b>"\n'
).encode()


def test_a_name_with_quotes_commas_unicode_and_markup_imports_verbatim():
    import_initiatives(TRICKY_FILE, source="tricky.csv")

    initiative = Initiative.objects.get()
    assert initiative.name == TRICKY_NAME
    assert initiative.slug == "say-hi-scriptalert1script-cafe"
    assert initiative.business_unit.name == "R&D, Labs"
    assert initiative.summary == 'Line one\nline two, with "quotes" & <b>tags</b>'


def test_an_imported_name_with_markup_is_found_by_search_and_shown_escaped(viewer, as_user):
    import_initiatives(TRICKY_FILE, source="tricky.csv")
    client = as_user(viewer)

    for query in ("<script>", "café", "数据", '"hi"'):
        response = client.get(reverse("initiative-list"), {"q": query})
        assert response.status_code == 200
        assert "Say &quot;hi&quot;, &lt;script&gt;alert(1)&lt;/script&gt;" in (
            response.content.decode()
        ), query
        assert "<script>alert(1)</script>" not in response.content.decode()


# --- The command ----------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_initiatives", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_file_and_says_what_it_did(tmp_path, staff, ivan, olga):
    path = tmp_path / "inventory.csv"
    path.write_bytes(good_file())

    out, err = run_command(str(path), "--as", "staff")

    assert out.strip() == "Imported inventory.csv: 3 created, 0 updated, 0 unchanged."
    assert err == ""
    assert Initiative.objects.count() == 3

    out, _ = run_command(str(path), "--as", "staff")
    assert out.strip() == "Imported inventory.csv: 0 created, 0 updated, 3 unchanged."
    assert Initiative.objects.count() == 3


def test_command_failure_writes_each_row_problem_to_stderr_and_imports_nothing(
    tmp_path, staff, ivan, olga
):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        inventory(
            FRAUD_SCORING,
            {**CHURN_FORECAST, "stage": "prototype"},
            {**CHURN_FORECAST, "slug": "other", "sponsor": "nobody", "risk_tier": "extreme"},
        )
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"Nothing was imported: 3 problem\(s\) in bad\.csv"):
        call_command(
            "import_initiatives", str(path), "--as", "staff", stdout=io.StringIO(), stderr=err
        )

    lines = err.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "row 3, column stage",
        "row 4, column risk_tier",
        "row 4, column sponsor",
    ]
    assert all(line.startswith("bad.csv: ") for line in lines)
    assert "No single person has username or e-mail 'nobody'." in lines[2]
    assert snapshot()["initiatives"] == 0
    assert not BusinessUnit.objects.exists()
    assert not Team.objects.exists()
    assert not OwnershipHandover.objects.exists()


def test_command_with_a_missing_file_says_so(tmp_path, staff):
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError, match=r"nowhere\.csv: no such file"):
        run_command(str(missing), "--as", "staff")


def test_command_refuses_a_file_over_the_size_limit(tmp_path, settings, staff):
    settings.PORTAL_IMPORT_MAX_BYTES = 50
    path = tmp_path / "big.csv"
    path.write_bytes(good_file())

    with pytest.raises(CommandError, match="larger than PORTAL_IMPORT_MAX_BYTES"):
        run_command(str(path), "--as", "staff")
    assert not Initiative.objects.exists()


def test_command_refuses_an_unknown_author(tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_bytes(inventory(CHURN_FORECAST))

    with pytest.raises(CommandError, match="No user 'ghost'"):
        run_command(str(path), "--as", "ghost")
    assert not Initiative.objects.exists()


def test_command_refuses_a_file_that_is_not_utf8(tmp_path, staff):
    path = tmp_path / "legacy.csv"
    path.write_bytes("name,business_unit,stage\nCafé,Retail,idea\n".encode("latin-1"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_initiatives", str(path), "--as", "staff", stdout=io.StringIO(), stderr=err
        )

    assert "not UTF-8" in err.getvalue()
    assert not Initiative.objects.exists()


# --- The upload page ------------------------------------------------------------------------


def upload(client, content: bytes, name: str = "inventory.csv", **kwargs):
    return client.post(
        reverse("initiative-import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
        **kwargs,
    )


def test_staff_see_the_upload_page_with_the_columns(staff, as_user):
    response = as_user(staff).get(reverse("initiative-import"))

    assert response.status_code == 200
    content = response.content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in content


def test_staff_upload_a_file_and_see_created_then_updated_counts(staff, as_user, ivan, olga):
    client = as_user(staff)

    response = upload(client, good_file(), follow=True)

    assert response.redirect_chain == [(reverse("initiative-list"), 302)]
    assert "Imported inventory.csv: 3 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Initiative.objects.count() == 3

    response = upload(client, good_file(), follow=True)

    assert "Imported inventory.csv: 0 created, 0 updated, 3 unchanged." in response.content.decode()
    assert Initiative.objects.count() == 3


def test_a_staff_member_who_is_not_an_administrator_may_not_upload(as_user):
    """An import records owners as having accepted: administrators (superusers) only."""
    operator = UserFactory(username="operator", is_staff=True)
    client = as_user(operator)

    assert client.get(reverse("initiative-import")).status_code == 403
    response = upload(client, inventory(CHURN_FORECAST))

    assert response.status_code == 403
    assert not Initiative.objects.exists()


def test_a_bad_upload_shows_the_table_of_problems_and_imports_nothing(staff, as_user, ivan, olga):
    counts = snapshot()
    content = inventory(
        FRAUD_SCORING,
        {**CHURN_FORECAST, "stage": "prototype"},
        {**CHURN_FORECAST, "slug": "other", "sponsor": "<b>nobody</b>"},
    )

    response = upload(as_user(staff), content)

    assert response.status_code == 200
    assert response.templates[0].name == "initiatives/import.html"
    assert [(e.row, e.column) for e in response.context["errors"]] == [
        (3, "stage"),
        (4, "sponsor"),
    ]
    html = response.content.decode()
    assert "Nothing was imported: 2 problem(s) in the file." in html
    assert "Problems found" in html
    assert "<td>3</td><td>stage</td>" in html
    assert "<td>4</td><td>sponsor</td>" in html
    assert "&lt;b&gt;nobody&lt;/b&gt;" in html
    assert "<b>nobody</b>" not in html
    assert snapshot() == counts


def test_an_upload_that_is_not_utf8_is_refused_on_the_page(staff, as_user):
    content = "name,business_unit,stage\nCafé,Retail,idea\n".encode("latin-1")

    response = upload(as_user(staff), content, name="legacy.csv")

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not Initiative.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(staff, as_user, settings):
    settings.PORTAL_IMPORT_MAX_BYTES = 2048
    content = inventory(*({**CHURN_FORECAST, "slug": f"c{n}"} for n in range(100)))
    assert len(content) > 2048

    response = upload(as_user(staff), content)

    assert response.status_code == 200
    assert "The file is larger than 2 KiB." in response.content.decode()
    assert not Initiative.objects.exists()


def test_an_upload_without_a_file_is_refused(staff, as_user):
    response = as_user(staff).post(reverse("initiative-import"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("person", ["viewer", "reviewer", "contributor"])
def test_a_signed_in_person_who_is_not_staff_is_forbidden(person, request, as_user):
    client = as_user(request.getfixturevalue(person))

    assert client.get(reverse("initiative-import")).status_code == 403
    assert upload(client, inventory(CHURN_FORECAST)).status_code == 403
    assert not Initiative.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(as_user):
    client = as_user(None)
    url = reverse("initiative-import")

    for response in (client.get(url), upload(client, inventory(CHURN_FORECAST))):
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={url}"
    assert not Initiative.objects.exists()


# --- Audit ----------------------------------------------------------------------------------


def test_an_import_by_command_is_in_the_history_with_the_file_name(tmp_path, staff, ivan, olga):
    path = tmp_path / "inventory.csv"
    path.write_bytes(good_file())

    run_command(str(path), "--as", "staff")

    for initiative in Initiative.objects.all():
        records = initiative.history.filter(history_change_reason="Imported from inventory.csv")
        assert records.exists(), initiative.slug
        assert {r.history_user for r in records} == {staff}
        [event] = initiative.events.filter(kind=EventKind.IMPORTED)
        assert (event.actor, event.message) == (staff, "Created from inventory.csv.")
    assert InitiativeEvent.objects.filter(kind=EventKind.IMPORTED).count() == 3
    handover = OwnershipHandover.objects.get(initiative__slug="fraud-scoring")
    assert handover.history.get().history_change_reason == (
        "Acceptance recorded by the import from inventory.csv"
    )

    path.write_text(path.read_text().replace("Fraud scoring", "Fraud scoring v2"))
    run_command(str(path), "--as", "staff")

    updated = InitiativeEvent.objects.filter(
        kind=EventKind.IMPORTED, params={"outcome": "updated", "source": "inventory.csv"}
    )
    assert [e.initiative.slug for e in updated] == ["fraud-scoring"]  # the one row that changed


def test_an_import_by_upload_is_in_the_history_with_the_uploader_and_file_name(
    staff, as_user, ivan, olga
):
    upload(as_user(staff), good_file(), name="q3-inventory.csv")

    records = Initiative.history.filter(history_change_reason__contains="q3-inventory.csv")
    assert set(records.values_list("slug", flat=True)) == {
        "fraud-scoring",
        "churn-forecast",
        "document-triage",
    }
    assert {r.history_user for r in records} == {staff}
    events = InitiativeEvent.objects.filter(kind=EventKind.IMPORTED)
    assert events.count() == 3
    assert {(e.actor, e.message) for e in events} == {(staff, "Created from q3-inventory.csv.")}


def test_a_reimport_leaves_columns_the_file_lacks_untouched():
    sponsor = UserFactory(username="hannah")
    import_initiatives(
        "name,slug,business_unit,stage,summary,sponsor,target_production_date\n"
        "Payroll check,payroll-check,HR,idea,Catch payroll errors,hannah,2027-06-04\n",
        source="first.csv",
    )
    import_initiatives(
        "name,slug,business_unit,stage\nPayroll check,payroll-check,HR,poc\n", source="second.csv"
    )
    initiative = Initiative.objects.get()
    assert initiative.stage == "poc"
    assert initiative.summary == "Catch payroll errors"
    assert initiative.sponsor == sponsor
    assert str(initiative.target_production_date) == "2027-06-04"


@pytest.mark.parametrize("value", ["03/04/2025", "2025/04/03", "3 April 2025"])
def test_dates_must_be_iso(value):
    with pytest.raises(ImportFailed) as failure:
        import_initiatives(
            f"name,business_unit,stage,stage_entered_at\nX,HR,poc,{value}\n", source="x.csv"
        )
    (error,) = failure.value.errors
    assert (error.row, error.column) == (2, "stage_entered_at")
    assert "ISO date" in error.message


def test_an_unclosed_quote_is_reported_as_such():
    with pytest.raises(ImportFailed) as failure:
        import_initiatives('name,business_unit,stage\n"Broken,HR,poc\nOther,HR,idea\n')
    (error,) = failure.value.errors
    assert "not well-formed CSV" in error.message
    assert error.row == 2


def test_no_confirmation_is_recorded_for_an_owner_who_has_not_accepted():
    olga = UserFactory(username="olga")
    import_initiatives("name,slug,business_unit,stage\nPay,pay,HR,pilot\n")
    initiative = Initiative.objects.get()
    initiative.production_owner = olga  # named in the portal, not accepted yet
    initiative.save()
    with pytest.raises(ImportFailed) as failure:
        import_initiatives(
            "name,slug,business_unit,stage,production_owner,owner_confirmed_at\n"
            "Pay,pay,HR,pilot,olga,2026-11-20\n"
        )
    (error,) = failure.value.errors
    assert (error.row, error.column) == (2, "owner_confirmed_at")
    assert "has not accepted" in error.message


def test_the_upload_page_sends_large_files_to_the_command(staff, as_user, settings):
    settings.PORTAL_IMPORT_MAX_WEB_ROWS = 2
    content = b"name,business_unit,stage\nA,HR,idea\nB,HR,idea\nC,HR,idea\n"
    upload = SimpleUploadedFile("big.csv", content, content_type="text/csv")
    response = as_user(staff).post(reverse("initiative-import"), {"file": upload})
    assert response.status_code == 200
    assert "import_initiatives" in response.content.decode()
    assert not Initiative.objects.exists()


# --- Dates before 1900, a huge header, administrators only ------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("stage_entered_at", "0001-01-01"), ("target_production_date", "1899-12-31")],
)
def test_command_refuses_a_date_before_1900_by_row_and_column(
    tmp_path, settings, staff, column, value
):
    """Year 1 in a time zone east of UTC is before year 1 in UTC: it could not be stored or
    read back (a server error). Nothing the portal records is that old."""
    settings.TIME_ZONE = "Europe/Berlin"
    path = tmp_path / "old.csv"
    path.write_bytes(inventory({**CHURN_FORECAST, column: value}))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"Nothing was imported: 1 problem\(s\) in old\.csv"):
        call_command(
            "import_initiatives", str(path), "--as", "staff", stdout=io.StringIO(), stderr=err
        )

    assert (
        err.getvalue().strip() == f"old.csv: row 2, column {column}: Enter a date in 1900 or later."
    )
    assert not Initiative.objects.exists()


def test_the_upload_page_refuses_year_1_east_of_utc_by_row_and_column(staff, as_user, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    content = inventory({**CHURN_FORECAST, "stage_entered_at": "0001-01-01T00:30"})

    response = upload(as_user(staff), content)

    assert response.status_code == 200
    assert [(e.row, e.column, e.message) for e in response.context["errors"]] == [
        (2, "stage_entered_at", "Enter a date in 1900 or later.")
    ]
    assert not Initiative.objects.exists()


def test_a_header_of_20000_columns_with_repeats_is_refused_at_once(tmp_path, staff):
    """The repeated-column check counted each column through the whole header: 20,000
    columns took 3.2 s to refuse (quadratic); one pass takes about 0.01 s. The bound is
    generous so a slow machine passes, and a quadratic check cannot."""
    header = ["name", "business_unit", "stage", *(["summary"] * 20_000)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(header) + "\n" + ",".join(["Pay", "HR", "idea"] + ["x"] * 20_000))
    err = io.StringIO()

    started = time.perf_counter()
    with pytest.raises(CommandError, match=r"1 problem\(s\)"):
        call_command(
            "import_initiatives", str(path), "--as", "staff", stdout=io.StringIO(), stderr=err
        )
    elapsed = time.perf_counter() - started

    assert err.getvalue().strip() == (
        "wide.csv: row 1, column summary: The column appears more than once; keep one."
    )
    assert elapsed < 0.5, f"{elapsed:.2f} s to refuse a 20,000-column header"


def test_command_needs_an_administrator_to_import_as(tmp_path, staff):
    path = tmp_path / "inventory.csv"
    path.write_bytes(inventory(CHURN_FORECAST))
    UserFactory(username="operator", is_staff=True)
    UserFactory(username="retired", is_staff=True, is_superuser=True, is_active=False)

    with pytest.raises(CommandError, match="the following arguments are required: --as"):
        run_command(str(path))
    for who in ("operator", "retired"):
        with pytest.raises(
            CommandError,
            match=f"'{who}' may not import: only an active administrator \\(superuser\\) may.",
        ):
            run_command(str(path), "--as", who)
    assert not Initiative.objects.exists()

    run_command(str(path), "--as", "staff")
    assert Initiative.objects.filter(slug="churn-forecast").exists()


def test_an_imported_acceptance_says_in_the_history_it_came_from_the_import(
    tmp_path, staff, ivan, olga
):
    path = tmp_path / "inventory.csv"
    path.write_bytes(inventory(FRAUD_SCORING))

    run_command(str(path), "--as", "staff")

    initiative = Initiative.objects.get(slug="fraud-scoring")
    accepted = initiative.history.filter(owner_accepted_at__isnull=False).earliest("history_id")
    assert (accepted.history_user, accepted.history_change_reason) == (
        staff,
        "Acceptance recorded by the import from inventory.csv",
    )
    handover = initiative.handovers.get()
    assert (handover.to_owner, handover.status) == (ivan, HandoverStatus.ACCEPTED)
    assert handover.decision_note == (
        "Recorded as accepted by the import from inventory.csv, not accepted by the owner "
        "in the portal."
    )
    [record] = handover.history.all()
    assert (record.history_user, record.history_change_reason) == (
        staff,
        "Acceptance recorded by the import from inventory.csv",
    )


def test_an_upload_with_a_long_file_name_keeps_the_history_reason_short(staff, as_user, ivan, olga):
    """The history's change reason holds 100 characters; a longer one was a server error."""
    name = f"{'inventory-of-every-system-' * 6}.csv"  # 160 characters
    client = as_user(staff)

    assert upload(client, inventory(FRAUD_SCORING), name=name).status_code == 302
    moved = {**FRAUD_SCORING, "stage": "production"}
    assert upload(client, inventory(moved), name=name).status_code == 302  # a transition

    reasons = [
        *Initiative.history.values_list("history_change_reason", flat=True),
        *OwnershipHandover.history.values_list("history_change_reason", flat=True),
    ]
    assert len(reasons) == 4
    assert all(len(reason) == 100 and reason.endswith("…") for reason in reasons), reasons
    assert Initiative.objects.get().stage == Stage.PRODUCTION
