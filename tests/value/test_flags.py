"""value_unreported and value_shortfall at their boundaries, through `scan_portfolio --as-of`,
and the e-mails they call for."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from initiatives.core.choices import EmailKind, FlagKind
from initiatives.outbox.models import EmailRecord
from initiatives.outbox.rendering import render
from initiatives.watch.scan import scan_portfolio
from tests.factories import UserFactory
from tests.support.value import production_system, report


def scan(as_of: str) -> str:
    out = StringIO()
    call_command("scan_portfolio", "--as-of", as_of, stdout=out)
    return out.getvalue()


@pytest.fixture
def system(db):
    return production_system(slug="churn-model", sponsor=UserFactory(username="sponsor"))


def test_value_unreported_is_raised_more_than_the_grace_period_after_the_quarter(system):
    # Q3 2025 ended on 30 September; 30 days' grace end on 30 October.
    assert "value_unreported" not in scan("2025-10-30")
    opened = scan("2025-10-31")
    assert "opened value_unreported on churn-model" in opened
    assert "no value report for 2025-Q3 (30 days' grace" in opened


def test_value_unreported_follows_the_grace_setting_and_a_report_clears_it(system, settings):
    settings.PORTAL_VALUE_REPORT_GRACE_DAYS = 10
    assert "opened value_unreported on churn-model" in scan("2025-10-11")
    report(system, 2025, 3, revenue_protected=1)
    assert "value_unreported" not in scan("2025-10-11")


def _shortfall_reports(system, q4_net: str):
    # Planned net: Q3 2025 22,989.14 (47 of 92 days), Q4 2025 45,000. Half: 11,494.57, 22,500.
    report(system, 2025, 3, revenue_protected="11494.56")
    report(system, 2025, 4, revenue_protected=q4_net)


def test_value_shortfall_needs_every_quarter_strictly_below_the_share(system):
    _shortfall_reports(system, "22500.00")  # exactly half of plan in Q4: not a shortfall
    assert "value_shortfall" not in scan("2026-01-15")


def test_value_shortfall_is_raised_after_two_consecutive_quarters_below_half(system):
    _shortfall_reports(system, "22499.99")
    opened = scan("2026-01-15")
    assert "opened value_shortfall on churn-model" in opened
    assert "below 50% of plan in 2 consecutive quarters" in opened


def test_value_shortfall_counts_the_setting_s_number_of_quarters(system, settings):
    _shortfall_reports(system, "22499.99")
    settings.PORTAL_VALUE_SHORTFALL_QUARTERS = 3
    assert "value_shortfall" not in scan("2026-01-15")
    settings.PORTAL_VALUE_SHORTFALL_QUARTERS = 1
    settings.PORTAL_VALUE_SHORTFALL_SHARE = Decimal("0.4")
    # Q4 at 49.99 % of plan is not below 40 %.
    assert "value_shortfall" not in scan("2026-01-15")


def test_open_value_flags_e_mail_the_owner_then_the_sponsor(system, settings):
    report(system, 2025, 3, revenue_protected="100")
    report(system, 2025, 4, revenue_protected="100")
    result = scan_portfolio()  # now: later quarters are unreported, the two reported fall short
    kinds = {change.kind for change in result.opened if change.slug == "churn-model"}
    assert {FlagKind.VALUE_UNREPORTED, FlagKind.VALUE_SHORTFALL} <= kinds
    value_kinds = [EmailKind.VALUE_UNREPORTED, EmailKind.VALUE_SHORTFALL]
    emails = EmailRecord.objects.filter(initiative=system, kind__in=value_kinds)
    owner = system.production_owner.email
    assert {(e.kind, e.recipient) for e in emails} == {(k, owner) for k in value_kinds}
    message = render(emails.get(kind=EmailKind.VALUE_SHORTFALL))
    assert "delivers less than its approved business case planned" in message.body
    assert f"/initiatives/{system.slug}/value/" in message.body
    # Once the owner has let the reminders go by, the sponsor hears too.
    settings.PORTAL_ESCALATE_AFTER_REMINDERS = 0
    scan_portfolio()
    to_sponsor = emails.filter(recipient="sponsor@example.com")
    assert set(to_sponsor.values_list("kind", flat=True)) == set(value_kinds)
    assert "You sponsor" in render(to_sponsor.first()).body


def test_the_value_rules_read_the_portfolio_in_a_fixed_number_of_queries(db):
    from datetime import UTC, datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from initiatives.watch.rules import value_shortfall, value_unreported

    as_of = datetime(2026, 7, 1, tzinfo=UTC)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            value_unreported(as_of)
            value_shortfall(as_of)
        return len(queries.captured_queries)

    report(production_system(), 2025, 3, revenue_protected=1)
    few = count()
    for _ in range(5):
        system = production_system()
        report(system, 2025, 3, revenue_protected=1)
        report(system, 2025, 4, revenue_protected=1)
    # Each rule: the systems, their approved cases, their transitions, their reports.
    assert count() == few == 8
