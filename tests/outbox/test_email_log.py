"""The e-mail log: open a message and read it; filter by kind, person and initiative."""

import pytest
from django.urls import reverse

from initiatives.core.choices import EmailKind, EmailStatus, FlagKind, Stage
from tests.factories import EmailRecordFactory, FlagFactory, InitiativeFactory, UserFactory
from tests.support.clients import api_client_for, client_for

pytestmark = pytest.mark.django_db

LOG = reverse("email-list")


@pytest.fixture
def ownerless_email():
    initiative = InitiativeFactory(name="Fraud <b>scoring</b>", stage=Stage.PILOT)
    flag = FlagFactory(
        initiative=initiative, kind=FlagKind.OWNERLESS, facts={"reason": "the owner left"}
    )
    sponsor = UserFactory(username="sofia", first_name="Sofia", last_name="Petrova")
    return EmailRecordFactory(
        kind=EmailKind.OWNERLESS,
        initiative=initiative,
        flag=flag,
        recipient="sofia@example.com",
        recipient_user=sponsor,
        status=EmailStatus.SENT,
    )


def detail(email) -> str:
    return reverse("email-detail", args=[email.pk])


def test_governance_opens_a_message_and_reads_its_subject_and_text(ownerless_email, reviewer):
    log = client_for(reviewer).get(LOG).content.decode()
    assert f'href="{detail(ownerless_email)}"' in log

    page = client_for(reviewer).get(detail(ownerless_email)).content.decode()
    assert "<h1>[Crossing] Fraud &lt;b&gt;scoring&lt;/b&gt; has no production owner</h1>" in page
    assert "Hello Sofia Petrova," in page
    assert "but has no production owner: the owner left." in page
    assert "<b>scoring</b>" not in page  # the stored name is text, never markup
    assert '<nav aria-label="Breadcrumb"' in page


def test_the_log_does_not_show_the_owners_personal_confirmation_link(reviewer, owner):
    initiative = InitiativeFactory(stage=Stage.PRODUCTION, production_owner=owner)
    flag = FlagFactory(
        initiative=initiative,
        kind=FlagKind.STALE_OWNERSHIP,
        facts={"limit_days": 90, "days_since_confirmation": 120},
    )
    email = EmailRecordFactory(
        kind=EmailKind.STALE_OWNERSHIP, initiative=initiative, flag=flag, recipient_user=owner
    )
    page = client_for(reviewer).get(detail(email)).content.decode()
    assert "I still own this: (the recipient&#x27;s personal confirmation link)" in page
    assert "/ownership/confirm/" not in page


@pytest.mark.parametrize(
    ("who", "expected"), [("reviewer", 200), ("viewer", 403), ("owner", 403), (None, 302)]
)
def test_only_governance_reads_a_message(ownerless_email, request, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(detail(ownerless_email))
    assert response.status_code == expected
    if who is None:
        assert response["Location"].startswith(reverse("login"))


def test_a_viewer_learns_nothing_about_which_messages_exist(viewer):
    assert client_for(viewer).get(reverse("email-detail", args=[999_999])).status_code == 403


def test_reading_a_message_takes_a_fixed_number_of_queries(
    ownerless_email, reviewer, django_assert_max_num_queries
):
    client = client_for(reviewer)
    client.get(LOG)
    # session, user, governance group, the e-mail with what it points at, the session refresh
    with django_assert_max_num_queries(8):
        assert client.get(detail(ownerless_email)).status_code == 200


@pytest.fixture
def three_emails():
    ada = UserFactory(username="alove", first_name="Ada", last_name="Lovelace")
    fraud = InitiativeFactory(slug="fraud-scoring", name="Fraud scoring")
    churn = InitiativeFactory(slug="churn", name="Churn model")
    return {
        "ada-fraud": EmailRecordFactory(
            kind=EmailKind.OWNERLESS, initiative=fraud, recipient="ada@x.org", recipient_user=ada
        ),
        "ada-churn": EmailRecordFactory(
            kind=EmailKind.ESCALATION, initiative=churn, recipient="ada@x.org", recipient_user=ada
        ),
        "gov-digest": EmailRecordFactory(kind=EmailKind.DIGEST, recipient="governance@x.org"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "escalation"}, {"ada-churn"}),
        ({"recipient": "ada lovelace"}, {"ada-fraud", "ada-churn"}),
        ({"recipient": "LOVE"}, {"ada-fraud", "ada-churn"}),
        ({"recipient": "governance@"}, {"gov-digest"}),
        ({"initiative": "fraud-scoring"}, {"ada-fraud"}),
        ({"recipient": "ada", "kind": "ownerless"}, {"ada-fraud"}),
        ({}, {"ada-fraud", "ada-churn", "gov-digest"}),
    ],
)
def test_the_log_filters_by_kind_person_and_initiative(three_emails, reviewer, query, expected):
    response = client_for(reviewer).get(LOG, query)
    shown = {email.pk for email in response.context["object_list"]}
    assert shown == {three_emails[key].pk for key in expected}


def test_the_initiative_filter_offers_names_of_initiatives_with_emails(three_emails, reviewer):
    InitiativeFactory(name="Never e-mailed")
    page = client_for(reviewer).get(LOG).content.decode()
    assert '<option value="fraud-scoring">Fraud scoring</option>' in page
    assert "Never e-mailed" not in page


def test_a_bad_filter_is_named_and_lists_nothing(three_emails, reviewer):
    response = client_for(reviewer).get(LOG, {"kind": "carrier-pigeon"})
    assert list(response.context["object_list"]) == []
    assert "kind: Select a valid choice" in response.content.decode()


def test_the_log_takes_the_same_queries_for_3_or_30_emails(
    three_emails, reviewer, django_assert_num_queries
):
    client = client_for(reviewer)
    client.get(LOG)
    with django_assert_num_queries(LOG_QUERIES):
        client.get(LOG, {"recipient": "ada"})
    for _ in range(27):
        EmailRecordFactory(
            recipient="ada@x.org",
            recipient_user=UserFactory(first_name="Ada"),
            initiative=InitiativeFactory(),
        )
    with django_assert_num_queries(LOG_QUERIES):
        client.get(LOG, {"recipient": "ada"})


# session, user, governance group, count, page of e-mails, initiatives with e-mails, session
# refresh (one query and two savepoints)
LOG_QUERIES = 9


def test_the_api_filters_by_person_as_the_page_does(three_emails, reviewer):
    body = api_client_for(reviewer).get(reverse("api:email-list"), {"recipient": "lovelace"})
    assert body.status_code == 200
    shown = {row["id"] for row in body.json()["results"]}
    assert shown == {three_emails["ada-fraud"].pk, three_emails["ada-churn"].pk}
