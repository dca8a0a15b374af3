"""The leaver path: deactivating a person ends their sessions, revokes their tokens, cancels
the handovers waiting for them, and judges their systems for an owner at once."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from initiatives.core.choices import EmailKind, EventKind, FlagKind, HandoverStatus, Stage
from initiatives.identity.services import person_deactivate
from initiatives.models import ApiTokenRevocation, EmailRecord, Flag, InitiativeEvent
from initiatives.outbox import sending
from initiatives.ownership import services as ownership
from initiatives.watch import scan
from tests.factories import AuthTokenFactory, InitiativeFactory, UserFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

ALL_CONFIRMED = {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True}


def owned_by(owner, *, sponsor=None, **fields):
    """A production system `owner` accepted, funded by `sponsor`."""
    contributor = UserFactory()
    initiative = InitiativeFactory(
        stage=Stage.PRODUCTION, sponsor=sponsor, members=[contributor], **fields
    )
    handover = ownership.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    ownership.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)
    initiative.refresh_from_db()
    return initiative


def test_a_deactivated_person_is_kept_inactive_never_deleted(viewer):
    departure = person_deactivate(person=viewer, by=None, reason="Left (SCIM).")
    viewer.refresh_from_db()
    assert viewer.is_active is False
    assert departure.person_id == viewer.pk


def test_deactivating_ends_every_session_of_theirs_and_no_one_elses(viewer, owner):
    theirs = [client_for(viewer), client_for(viewer)]
    someone_else = client_for(owner)
    assert Session.objects.count() == 3

    departure = person_deactivate(person=viewer, by=None, reason="Left.")

    assert departure.sessions_ended == 2
    assert Session.objects.count() == 1
    for client in theirs:
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert someone_else.get("/").status_code == 200


def test_deactivating_revokes_their_api_tokens_and_records_why(viewer):
    token = AuthTokenFactory(user=viewer)
    departure = person_deactivate(person=viewer, by=None, reason="Left.")
    assert departure.tokens_revoked == 1
    response = APIClient().get("/api/v1/initiatives/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    (revocation,) = ApiTokenRevocation.objects.filter(user=viewer)
    assert revocation.reason == ApiTokenRevocation.Reason.DEACTIVATED


def test_a_handover_waiting_for_a_leaver_is_cancelled_and_its_proposer_told(
    initiative, contributor, django_capture_on_commit_callbacks
):
    leaver = UserFactory(username="leaver", first_name="Lee", last_name="Ver")
    handover = ownership.handover_start(initiative=initiative, actor=contributor, to_owner=leaver)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False):
        departure = person_deactivate(person=leaver, by=None, reason="Left the organisation.")

    handover.refresh_from_db()
    initiative.refresh_from_db()
    assert departure.handovers_cancelled == [handover.pk]
    assert handover.status == HandoverStatus.CANCELLED
    assert handover.decision_note == "Left the organisation."
    # Back to the arrangement from before the handover: nobody owned it.
    assert initiative.production_owner is None
    event = InitiativeEvent.objects.filter(initiative=initiative).latest("pk")
    assert event.kind == EventKind.HANDOVER_CANCELLED
    (record,) = EmailRecord.objects.filter(kind=EmailKind.HANDOVER_CANCELLED)
    assert record.recipient == contributor.email
    sending.send(record.pk)
    (message,) = mail.outbox
    assert message.subject == f"[Crossing] Your handover of {initiative.name} was cancelled"
    assert "Lee Ver" in message.body
    assert "Left the organisation." in message.body
    assert message.alternatives  # the HTML part


def test_the_proposer_is_told_once_however_often_the_leaver_is_deactivated(initiative, contributor):
    leaver = UserFactory(username="leaver")
    ownership.handover_start(initiative=initiative, actor=contributor, to_owner=leaver)
    assert person_deactivate(person=leaver, by=None, reason="Left.") is not None
    assert person_deactivate(person=leaver, by=None, reason="Left.") is None
    assert EmailRecord.objects.filter(kind=EmailKind.HANDOVER_CANCELLED).count() == 1


def test_a_handover_from_a_previous_owner_gives_the_system_back_to_them(contributor):
    previous = UserFactory(username="previous")
    initiative = owned_by(previous)
    leaver = UserFactory(username="leaver")
    handover = ownership.handover_start(
        initiative=initiative, actor=previous, to_owner=leaver, backup_owner=contributor
    )
    person_deactivate(person=leaver, by=None, reason="Left.")
    initiative.refresh_from_db()
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CANCELLED
    assert initiative.production_owner == previous
    assert initiative.owner_accepted_at is not None
    assert initiative.backup_owner is None


def test_their_systems_are_judged_for_an_owner_on_commit_not_at_the_next_scan(
    django_capture_on_commit_callbacks, reviewer
):
    leaver = UserFactory(username="leaver")
    sponsor = UserFactory(username="sponsor", email="sponsor@example.com")
    owned = owned_by(leaver, sponsor=sponsor, name="Claims triage")
    backed_up = owned_by(UserFactory(username="still-here"))
    backed_up.backup_owner = leaver
    backed_up.save()
    unrelated = owned_by(UserFactory(username="other"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        departure = person_deactivate(person=leaver, by=reviewer, reason="Left.")

    assert departure.initiative_ids == sorted([owned.pk, backed_up.pk])
    assert len(callbacks) == 1  # the ownerless check is queued only once the change commits
    assert not Flag.objects.exists()

    # What the queued task runs (the real worker runs it in tests/integration/).
    opened = scan.ownerless_flag_now(initiative_ids=departure.initiative_ids)

    assert [(c.kind, c.initiative_id) for c in opened] == [(FlagKind.OWNERLESS, owned.pk)]
    flag = Flag.objects.get()
    assert flag.reason == "the owner's account (leaver) is deactivated"
    # A system whose owner is still here is not ownerless for losing its backup (README).
    assert not Flag.objects.filter(initiative__in=[backed_up, unrelated]).exists()
    recipients = set(
        EmailRecord.objects.filter(kind=EmailKind.OWNERLESS).values_list("recipient", flat=True)
    )
    assert recipients == {"sponsor@example.com", settings.GOVERNANCE_EMAIL}


def test_the_next_scan_neither_duplicates_the_flag_nor_its_emails(
    django_capture_on_commit_callbacks,
):
    leaver = UserFactory(username="leaver")
    owned_by(leaver, sponsor=UserFactory(username="sponsor"))
    departure = person_deactivate(person=leaver, by=None, reason="Left.")
    scan.ownerless_flag_now(initiative_ids=departure.initiative_ids)
    emails = EmailRecord.objects.filter(kind=EmailKind.OWNERLESS).count()
    assert emails == 2

    assert scan.ownerless_flag_now(initiative_ids=departure.initiative_ids) == []
    report = scan.scan_portfolio()

    assert FlagKind.OWNERLESS not in {c.kind for c in report.opened}
    assert Flag.objects.filter(kind=FlagKind.OWNERLESS).count() == 1
    assert EmailRecord.objects.filter(kind=EmailKind.OWNERLESS).count() == emails


def test_their_name_stays_on_the_history():
    leaver = UserFactory(username="leaver", first_name="Lee", last_name="Ver")
    initiative = InitiativeFactory(members=[leaver])
    ownership.handover_start(initiative=initiative, actor=leaver, to_owner=UserFactory())
    person_deactivate(person=leaver, by=None, reason="Left.")
    event = InitiativeEvent.objects.get(initiative=initiative, kind=EventKind.OWNER_NAMED)
    assert event.actor == leaver
    leaver.refresh_from_db()
    assert leaver.get_full_name() == "Lee Ver"


def test_saving_a_person_inactive_anywhere_runs_the_leaver_path(initiative, contributor):
    leaver = UserFactory(username="leaver")
    token = AuthTokenFactory(user=leaver)
    handover = ownership.handover_start(initiative=initiative, actor=contributor, to_owner=leaver)
    Client().force_login(leaver)

    leaver.is_active = False
    leaver.save()  # a script, the shell: not the service

    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CANCELLED
    assert not Session.objects.exists()
    assert ApiTokenRevocation.objects.get(user=leaver).token_key == token.token_key
    # Saving them again (inactive already) does nothing more.
    leaver.first_name = "Renamed"
    leaver.save()
    assert EmailRecord.objects.filter(kind=EmailKind.HANDOVER_CANCELLED).count() == 1


def test_a_person_saved_active_keeps_everything(viewer):
    token = AuthTokenFactory(user=viewer)
    client = client_for(viewer)
    viewer.first_name = "New"
    viewer.save()
    assert client.get("/").status_code == 200
    assert not ApiTokenRevocation.objects.filter(token_key=token.token_key).exists()
