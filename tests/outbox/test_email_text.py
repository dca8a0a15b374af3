"""What the e-mails say: the stale-ownership e-mail names when the sponsor is told (from the
setting that decides it); the governance mailbox is addressed as a team."""

import pytest

from initiatives.core.choices import EmailKind, FlagKind, Stage
from initiatives.outbox import rendering
from tests.factories import EmailRecordFactory, FlagFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(owner):
    sponsor = UserFactory(username="sofia", first_name="Sofia", last_name="Petrova")
    initiative = InitiativeFactory(stage=Stage.PRODUCTION, production_owner=owner, sponsor=sponsor)
    return FlagFactory(
        initiative=initiative,
        kind=FlagKind.STALE_OWNERSHIP,
        facts={"limit_days": 90, "days_since_confirmation": 120},
    )


def stale_email(flag, reminder: int):
    owner = flag.initiative.production_owner
    return rendering.render(
        EmailRecordFactory(
            kind=EmailKind.STALE_OWNERSHIP,
            initiative=flag.initiative,
            flag=flag,
            recipient=owner.email,
            recipient_user=owner,
            reminder=reminder,
        )
    )


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_the_first_stale_ownership_email_says_when_the_sponsor_is_told(stale):
    message = stale_email(stale, reminder=0)
    expected = (
        "Until you answer, a reminder follows every 7 days; after the second unanswered "
        "reminder, your sponsor, Sofia Petrova, is told as well."
    )
    assert expected in message.body
    assert expected in html_of(message)


def test_the_number_of_reminders_comes_from_the_setting(stale, settings):
    settings.PORTAL_ESCALATE_AFTER_REMINDERS = 3
    settings.PORTAL_REMINDER_INTERVAL_DAYS = 14
    body = stale_email(stale, reminder=2).body
    assert "This is reminder 2. Until you answer, a reminder follows every 14 days" in body
    assert "after the third unanswered reminder" in body


def test_once_the_sponsor_is_told_the_owner_learns_it(stale):
    message = stale_email(stale, reminder=2)
    expected = (
        "This is reminder 2. Your sponsor, Sofia Petrova, has been told as well: the sponsor "
        "is told after the second unanswered reminder."
    )
    assert expected in message.body
    assert expected in html_of(message)


def test_the_governance_copy_addresses_the_governance_team(settings):
    sponsor = UserFactory(first_name="Sofia", last_name="Petrova")
    initiative = InitiativeFactory(name="Fraud scoring", stage=Stage.PILOT, sponsor=sponsor)
    flag = FlagFactory(initiative=initiative, kind=FlagKind.OWNERLESS, facts={"reason": "left"})
    message = rendering.render(
        EmailRecordFactory(
            kind=EmailKind.OWNERLESS,
            initiative=initiative,
            flag=flag,
            recipient=settings.GOVERNANCE_EMAIL.upper(),
        )
    )
    assert message.body.startswith("Hello governance team,")
    assert "colleague" not in message.body
    assert "<p>Hello governance team,</p>" in html_of(message)
    assert "The sponsor, Sofia Petrova, is asked to name an owner too" in message.body
    assert "The sponsor, Sofia Petrova, is asked to name an owner too" in html_of(message)


def test_the_sponsors_copy_still_asks_them_to_name_an_owner(settings):
    sponsor = UserFactory(first_name="Sofia", last_name="Petrova")
    initiative = InitiativeFactory(stage=Stage.PILOT, sponsor=sponsor)
    flag = FlagFactory(initiative=initiative, kind=FlagKind.OWNERLESS, facts={"reason": "left"})
    message = rendering.render(
        EmailRecordFactory(
            kind=EmailKind.OWNERLESS,
            initiative=initiative,
            flag=flag,
            recipient=sponsor.email,
            recipient_user=sponsor,
        )
    )
    assert message.body.startswith("Hello Sofia Petrova,")
    assert "Please name an owner, who will be asked to accept" in message.body


def test_the_weekly_digest_to_the_mailbox_addresses_the_team(settings):
    message = rendering.render(
        EmailRecordFactory(kind=EmailKind.DIGEST, recipient=settings.GOVERNANCE_EMAIL)
    )
    assert message.body.startswith("Hello governance team,")
