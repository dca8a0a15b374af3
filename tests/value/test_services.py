"""Writing value reports: the refusals, the corrections' history, the CSV import."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from initiatives.core.choices import BusinessCaseStatus, EventKind
from initiatives.value import services
from initiatives.value.figures import Quarter
from initiatives.value.importing import ImportFailed, parse
from initiatives.value.models import ValueReport
from tests.factories import UserFactory, ValueReporterGrantFactory
from tests.support.value import production_system

Q3 = Quarter(2025, 3)


@pytest.fixture
def system(db):
    return production_system()


def _create(system, quarter=Q3, actor=None, **data):
    return services.value_report_create(
        initiative=system, actor=actor or system.production_owner, quarter=quarter, data=data
    )


def test_a_report_in_another_currency_than_the_case_is_refused_on_currency(system):
    with pytest.raises(ValidationError) as refused:
        _create(system, currency="USD", revenue_protected=Decimal("1000"))
    assert refused.value.message_dict["currency"] == [
        "Report in EUR, the approved business case's currency (version "
        f"{system.business_cases.get().version}); USD was given."
    ]
    assert not ValueReport.objects.exists()


def test_a_negative_actual_run_cost_is_refused_on_its_field(system):
    with pytest.raises(ValidationError) as refused:
        _create(system, team_cost=Decimal("-1"))
    assert refused.value.message_dict == {
        "team_cost": ["Type 0 or more: a figure here cannot be negative."]
    }
    assert not ValueReport.objects.exists()


def test_a_quarter_not_ended_or_not_in_production_is_refused(system):
    with pytest.raises(ValidationError) as refused:
        _create(system, quarter=Quarter(2099, 1))
    assert "has not ended yet" in refused.value.message_dict["quarter"][0]
    with pytest.raises(ValidationError) as refused:
        _create(system, quarter=Quarter(2025, 2))  # before 15 August 2025
    assert refused.value.message_dict["quarter"] == ["The system was not in production in 2025-Q2."]


def test_no_report_without_an_approved_case(system):
    system.business_cases.update(status=BusinessCaseStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="no approved business case"):
        _create(system)


def test_a_quarter_is_reported_once_then_corrected(system):
    _create(system, revenue_protected=Decimal("1000"))
    with pytest.raises(ValidationError) as refused:
        _create(system, revenue_protected=Decimal("2000"))
    assert "already reported; correct it instead" in refused.value.message_dict["quarter"][0]


def test_a_correction_keeps_the_earlier_figures_in_the_history(system):
    report = _create(system, revenue_protected=Decimal("1000"), team_cost=Decimal("300"))
    corrector = UserFactory()
    system.memberships.create(user=corrector)
    services.value_report_correct(
        report=report, actor=corrector, data={"revenue_protected": Decimal("1500")}
    )
    report.refresh_from_db()
    assert (report.revenue_protected, report.team_cost) == (Decimal("1500"), Decimal("300"))
    versions = list(report.history.order_by("history_date"))
    assert [(v.history_type, v.revenue_protected) for v in versions] == [
        ("+", Decimal("1000.00")),
        ("~", Decimal("1500.00")),
    ]
    assert versions[-1].history_user == corrector
    events = list(system.events.filter(kind=EventKind.VALUE_REPORTED).order_by("at"))
    assert [e.params["correction"] for e in events] == [False, True]


def test_only_the_team_or_a_granted_client_reports(system):
    with pytest.raises(PermissionDenied):
        _create(system, actor=UserFactory())
    client = ValueReporterGrantFactory(initiative=system).user
    assert _create(system, actor=client).reported_by == client


CSV = (
    "year,quarter,currency,revenue_protected,team_cost,run_cost_note\n"
    '2025,Q3,EUR,"1,000",200,first\n'
    '2025,4,EUR,2000,-5,=HYPERLINK("x")\n'
)


def test_csv_errors_come_by_row_and_column_and_nothing_is_written(system):
    with pytest.raises(ImportFailed) as failed:
        parse(CSV.encode())
    assert [(e.row, e.column) for e in failed.value.errors] == [
        (2, "revenue_protected"),
        (3, "team_cost"),
    ]


def test_csv_import_is_all_or_nothing_and_a_reimport_corrects(system):
    good = "year,quarter,revenue_protected,team_cost\n2025,3,1000,200\n2025,4,2000,300\n"
    owner = system.production_owner
    created, corrected = services.value_reports_import(
        initiative=system, actor=owner, rows=parse(good), source="q.csv"
    )
    assert (created, corrected) == (2, 0)
    # Q4 corrected, and a quarter not ended: the whole file is refused, Q4 unchanged.
    bad = "year,quarter,revenue_protected\n2025,4,9999\n2099,1,5\n"
    with pytest.raises(ImportFailed) as failed:
        services.value_reports_import(
            initiative=system, actor=owner, rows=parse(bad), source="bad.csv"
        )
    assert [(e.row, e.column) for e in failed.value.errors] == [(3, "quarter")]
    assert ValueReport.objects.get(quarter=4).revenue_protected == Decimal("2000")
    again = "year,quarter,revenue_protected\n2025,4,2500\n"
    assert services.value_reports_import(
        initiative=system, actor=owner, rows=parse(again), source="again.csv"
    ) == (0, 1)
    q4 = ValueReport.objects.get(quarter=4)
    # A column left out keeps what was reported.
    assert (q4.revenue_protected, q4.team_cost) == (Decimal("2500"), Decimal("300"))


def test_grant_value_reporting_makes_a_service_account_that_may_push(system):
    from django.core.management import call_command

    from initiatives.core.permissions import can_report_value, is_machine_client
    from initiatives.value.models import ValueReporterGrant

    call_command("grant_value_reporting", "finance-bot", system.slug, "--create")
    grant = ValueReporterGrant.objects.get()
    assert is_machine_client(grant.user)
    assert can_report_value(grant.user, system)
    call_command("grant_value_reporting", "finance-bot", system.slug, "--revoke")
    assert not ValueReporterGrant.objects.exists()
    assert grant.history.count() == 2  # granted, then revoked: both kept
