"""Deactivating a person in the admin runs the leaver path: from the change form (through
the hook on the user's save, naming the administrator) and from the list's action."""

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from initiatives.core.choices import EmailKind, EventKind, HandoverStatus
from initiatives.models import ApiTokenRevocation, EmailRecord, InitiativeEvent
from initiatives.ownership import services as ownership
from tests.factories import AuthTokenFactory, UserFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def change_form(person, **changes) -> dict:
    """The admin's user change form as the browser submits it, with `changes`."""
    joined = timezone.localtime(person.date_joined)
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def leaver(initiative, contributor):
    person = UserFactory(username="leaver")
    AuthTokenFactory(user=person)
    client_for(person)  # a signed-in browser
    ownership.handover_start(initiative=initiative, actor=contributor, to_owner=person)
    return person


def assert_left(person, by) -> None:
    handover = person.handovers_received.get()
    assert handover.status == HandoverStatus.CANCELLED
    assert handover.decision_note == f"Deactivated in the admin by {by.username}."
    event = InitiativeEvent.objects.get(kind=EventKind.HANDOVER_CANCELLED)
    assert event.actor == by
    assert not Session.objects.filter(session_key__in=_their_sessions(person)).exists()
    assert ApiTokenRevocation.objects.filter(user=person).count() == 1
    assert EmailRecord.objects.filter(kind=EmailKind.HANDOVER_CANCELLED).count() == 1


def _their_sessions(person) -> list[str]:
    return [
        s.session_key
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]


def test_unticking_active_in_the_admin_runs_the_leaver_path(leaver, staff):
    admin = client_for(staff)
    response = admin.post(
        f"/admin/auth/user/{leaver.pk}/change/", change_form(leaver, is_active=None)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    leaver.refresh_from_db()
    assert leaver.is_active is False
    assert_left(leaver, staff)


def test_the_admin_action_deactivates_the_selected_people(leaver, staff, viewer):
    admin = client_for(staff)
    response = admin.post(
        "/admin/auth/user/",
        {"action": "deactivate", "_selected_action": [leaver.pk, staff.pk]},
        follow=True,
    )
    assert "1 person(s) deactivated" in response.content.decode()
    assert "You cannot deactivate yourself." in response.content.decode()
    leaver.refresh_from_db()
    staff.refresh_from_db()
    viewer.refresh_from_db()
    assert (leaver.is_active, staff.is_active, viewer.is_active) == (False, True, True)
    assert_left(leaver, staff)


def test_editing_a_person_in_the_admin_without_deactivating_them_keeps_their_tokens(leaver, staff):
    admin = client_for(staff)
    response = admin.post(
        f"/admin/auth/user/{leaver.pk}/change/", change_form(leaver, first_name="Renamed")
    )
    assert response.status_code == 302
    assert not ApiTokenRevocation.objects.filter(user=leaver).exists()
    assert leaver.handovers_received.get().status == HandoverStatus.PENDING


def test_only_staff_reach_the_deactivate_action(leaver, viewer):
    response = client_for(viewer).post(
        "/admin/auth/user/", {"action": "deactivate", "_selected_action": [leaver.pk]}
    )
    assert response.status_code == 302  # to the admin's sign-in page
    leaver.refresh_from_db()
    assert leaver.is_active is True
