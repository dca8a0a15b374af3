"""Ownership: handover, acceptance, decline, confirmation (README "Ownership")."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core import permissions
from initiatives.core.choices import ConfirmationChannel, HandoverStatus, Stage
from initiatives.models import OwnershipConfirmation, OwnershipHandover
from initiatives.ownership import services
from initiatives.portfolio.selectors import initiative_list
from tests.factories import InitiativeFactory, TeamFactory, UserFactory
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db

ALL_CONFIRMED = {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True}


def test_naming_an_owner_starts_a_pending_handover(initiative, contributor, owner):
    team = TeamFactory(name="ML Platform")
    handover = services.handover_start(
        initiative=initiative, actor=contributor, to_owner=owner, owning_team=team, note="Yours"
    )
    initiative.refresh_from_db()
    assert initiative.production_owner == owner
    assert initiative.owning_team == team
    assert initiative.ownership_pending
    assert handover.status == HandoverStatus.PENDING
    assert (handover.from_owner, handover.requested_by) == (None, contributor)


def test_acceptance_needs_skills_mandate_and_budget(initiative, contributor, owner):
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    with pytest.raises(ValidationError) as error:
        services.handover_accept(
            handover=handover,
            actor=owner,
            confirms_skills=True,
            confirms_mandate=False,
            confirms_budget=False,
        )
    assert set(error.value.message_dict) == {"confirms_mandate", "confirms_budget"}
    handover.refresh_from_db()
    initiative.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING
    assert initiative.owner_accepted_at is None


def test_acceptance_makes_the_owner_accountable_and_counts_as_a_confirmation(
    initiative, contributor, owner
):
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)
    initiative.refresh_from_db()
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED
    assert not initiative.ownership_pending
    assert initiative.owner_accepted_at == initiative.owner_confirmed_at == handover.decided_at
    confirmation = OwnershipConfirmation.objects.get()
    assert (confirmation.owner, confirmation.channel) == (owner, ConfirmationChannel.HANDOVER)


def test_only_the_named_person_may_accept(initiative, contributor, owner, reviewer):
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    for someone_else in (contributor, reviewer):
        with pytest.raises(PermissionDenied):
            services.handover_accept(handover=handover, actor=someone_else, **ALL_CONFIRMED)
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING


def test_a_handover_cannot_be_accepted_twice(initiative, contributor, owner):
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)
    with pytest.raises(PermissionDenied):
        services.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)


def test_handing_over_keeps_every_handover(initiative, contributor, owner):
    first = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=first, actor=owner, **ALL_CONFIRMED)
    successor = UserFactory(username="successor")
    second = services.handover_start(initiative=initiative, actor=owner, to_owner=successor)
    initiative.refresh_from_db()
    assert initiative.production_owner == successor
    assert initiative.ownership_pending
    assert second.from_owner == owner
    assert list(initiative.handovers.values_list("status", flat=True)) == [
        HandoverStatus.PENDING,
        HandoverStatus.ACCEPTED,
    ]


def test_naming_someone_else_supersedes_the_pending_handover(initiative, contributor, owner):
    first = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    other = UserFactory(username="other")
    services.handover_start(initiative=initiative, actor=contributor, to_owner=other)
    first.refresh_from_db()
    assert first.status == HandoverStatus.SUPERSEDED
    assert initiative.handovers.filter(status=HandoverStatus.PENDING).count() == 1
    with pytest.raises(PermissionDenied):
        services.handover_accept(handover=first, actor=owner, **ALL_CONFIRMED)


def test_declining_gives_the_system_back_to_the_previous_owner(initiative, contributor, owner):
    first = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=first, actor=owner, **ALL_CONFIRMED)
    initiative.refresh_from_db()
    accepted_at = initiative.owner_accepted_at
    successor = UserFactory(username="successor")
    second = services.handover_start(initiative=initiative, actor=owner, to_owner=successor)
    with pytest.raises(ValidationError):
        services.handover_decline(handover=second, actor=successor, note="  ")
    services.handover_decline(handover=second, actor=successor, note="No budget in my team.")
    initiative.refresh_from_db()
    assert initiative.production_owner == owner
    assert initiative.owner_accepted_at == accepted_at
    assert initiative.events.first().message == (
        f"{successor.get_full_name()} declined ownership: No budget in my team."
    )


def test_a_deactivated_person_cannot_be_named(initiative, contributor):
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError) as error:
        services.handover_start(initiative=initiative, actor=contributor, to_owner=gone)
    assert error.value.message_dict == {"to_owner": ["This person's account is deactivated."]}
    assert not OwnershipHandover.objects.exists()


def test_owner_and_backup_must_differ(initiative, contributor, owner):
    with pytest.raises(ValidationError) as error:
        services.handover_start(
            initiative=initiative, actor=contributor, to_owner=owner, backup_owner=owner
        )
    assert "backup_owner" in error.value.message_dict
    initiative.refresh_from_db()
    assert initiative.production_owner is None


def test_the_database_refuses_two_pending_handovers(initiative, owner):
    OwnershipHandover.objects.create(initiative=initiative, to_owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipHandover.objects.create(initiative=initiative, to_owner=owner)


def test_confirmation_resets_the_clock_and_is_recorded(initiative, contributor, owner):
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)
    initiative.refresh_from_db()
    before = initiative.owner_confirmed_at
    confirmation = services.ownership_confirm(initiative=initiative, actor=owner)
    initiative.refresh_from_db()
    assert initiative.owner_confirmed_at == confirmation.confirmed_at > before
    assert initiative.confirmations.count() == 2


def test_only_the_accepted_owner_confirms(initiative, contributor, owner):
    services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    with pytest.raises(PermissionDenied):  # pending: not accepted yet
        services.ownership_confirm(initiative=initiative, actor=owner)
    with pytest.raises(PermissionDenied):
        services.ownership_confirm(initiative=initiative, actor=contributor)
    assert not OwnershipConfirmation.objects.exists()


def test_a_deactivated_owner_counts_as_ownerless(contributor, owner):
    """Ownerless: in pilot/production with no owner, a deactivated owner, or pending too long.

    The flag itself is raised by the scan; here the facts it reads are checked."""
    initiative = InitiativeFactory(stage=Stage.PRODUCTION, members=[contributor])
    handover = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_accept(handover=handover, actor=owner, **ALL_CONFIRMED)
    owner.is_active = False
    owner.save()
    assert not initiative_list().filter(production_owner__is_active=True).exists()
    initiative.refresh_from_db()
    assert not permissions.can_confirm_ownership(owner, initiative)


def test_the_named_owner_is_emailed_after_commit(
    initiative, contributor, owner, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            handover = services.handover_start(
                initiative=initiative, actor=contributor, to_owner=owner
            )
            assert mail.outbox == []  # nothing leaves before the commit
    finally:
        app.conf.task_always_eager = False
    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "Fraud scoring" in message.subject
    link = f"{settings.PORTAL_BASE_URL}/handovers/{handover.pk}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert link in html


def test_rights_pass_to_the_new_owner_only_when_they_accept(contributor, owner):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    first = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    assert not permissions.can_edit_initiative(owner, initiative)  # named, not yet
    services.handover_accept(handover=first, actor=owner, **ALL_CONFIRMED)
    initiative.refresh_from_db()
    assert permissions.can_edit_initiative(owner, initiative)

    successor = UserFactory(username="successor")
    services.handover_start(initiative=initiative, actor=owner, to_owner=successor)
    initiative.refresh_from_db()
    # Until the successor accepts, the outgoing owner is still accountable and may act.
    assert permissions.can_edit_initiative(owner, initiative)
    assert not permissions.can_edit_initiative(successor, initiative)
    assert list(permissions.editable_initiatives(owner, initiative_list())) == [initiative]


def test_declining_after_a_replaced_handover_returns_to_the_last_accepted_owner(contributor):
    """Tom accepted; Kenji was named, then replaced by Mei, who declines: Tom owns it again."""
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    tom, kenji, mei = (UserFactory(username=n) for n in ("tom", "kenji", "mei"))
    first = services.handover_start(initiative=initiative, actor=contributor, to_owner=tom)
    services.handover_accept(handover=first, actor=tom, **ALL_CONFIRMED)
    services.handover_start(initiative=initiative, actor=contributor, to_owner=kenji)
    third = services.handover_start(initiative=initiative, actor=contributor, to_owner=mei)
    assert third.from_owner == tom
    services.handover_decline(handover=third, actor=mei, note="Not my team.")
    initiative.refresh_from_db()
    assert initiative.production_owner == tom
    assert initiative.owner_accepted_at is not None  # accepted, not stuck pending


def test_declining_a_first_nomination_leaves_no_owner(contributor, owner):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    services.handover_start(initiative=initiative, actor=contributor, to_owner=UserFactory())
    second = services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    services.handover_decline(handover=second, actor=owner, note="No.")
    initiative.refresh_from_db()
    assert (initiative.production_owner, initiative.owner_accepted_at) == (None, None)


def test_the_page_does_not_pass_the_outgoing_owners_confirmation_off_as_the_new_owners(
    viewer, as_user
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import InitiativeFactory, UserFactory

    moving = InitiativeFactory(
        production_owner=UserFactory(username="incoming"),
        owner_accepted_at=None,
        owner_confirmed_at=timezone.now() - timedelta(days=3),
    )
    page = as_user(viewer).get(moving.get_absolute_url()).content.decode()
    assert "not yet: the new owner has not accepted" in page
    assert "the previous owner confirmed on" in page


# --- Separation of duties: governance does not give itself the team's rights (issue 13) -----


def _handover_page(initiative) -> str:
    return reverse("initiative-handover", kwargs={"slug": initiative.slug})


def test_governance_reviewer_cannot_name_themselves_backup_owner(contributor, owner, reviewer):
    """Before: a reviewer off the team named themselves backup owner, then edited and
    cancelled the initiative."""
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    api = APIClient()
    api.force_authenticate(reviewer)
    path = f"/api/v1/initiatives/{initiative.slug}/handover/"

    response = api.post(path, {"to_owner": "owner", "backup_owner": "reviewer"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You are not on this initiative's team: you may name someone else backup "
        "owner, not yourself. Ask the team to name you."
    }
    initiative.refresh_from_db()
    assert (initiative.production_owner, initiative.backup_owner) == (None, None)
    assert not OwnershipHandover.objects.exists()
    assert not permissions.can_edit_initiative(reviewer, initiative)
    edit = api.patch(f"/api/v1/initiatives/{initiative.slug}/", {"risk_tier": "high"})
    assert edit.status_code == 403
    # Naming others stays theirs to do: governance resolves ownerless systems.
    named = api.post(path, {"to_owner": "owner", "backup_owner": "contributor"}, format="json")
    assert named.status_code == 201


def test_governance_reviewer_cannot_name_themselves_owner_on_the_page(contributor, reviewer):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    client = Client()
    client.force_login(reviewer)

    response = client.post(_handover_page(initiative), {"to_owner": reviewer.pk})

    assert response.status_code == 200  # the form again, saying why
    errors = " ".join(response.context["form"].non_field_errors())
    assert "you may name someone else production owner, not yourself" in errors
    initiative.refresh_from_db()
    assert initiative.production_owner is None
    assert not OwnershipHandover.objects.exists()
    with pytest.raises(PermissionDenied):
        services.handover_start(initiative=initiative, actor=reviewer, to_owner=reviewer)


def test_a_reviewer_on_the_team_may_still_be_named_owner(contributor, reviewer):
    """Team rights, not governance, let them name themselves; they must still accept."""
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor, reviewer])
    handover = services.handover_start(initiative=initiative, actor=reviewer, to_owner=reviewer)
    assert handover.status == HandoverStatus.PENDING


# --- Separation of duties: promotions are decided off the team (issue 13) -------------------


def test_a_governance_member_of_the_team_cannot_approve_a_promotion_a_teammate_requested(
    contributor, reviewer
):
    gina = UserFactory(username="gina", governance=True)
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor, gina])
    promotion = services.promotion_request_create(initiative=initiative, actor=contributor)
    api = APIClient()
    api.force_authenticate(gina)

    response = api.post(
        f"/api/v1/promotion-requests/{promotion.pk}/review/", {"decision": "approve"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You are on this initiative's team; another governance reviewer who is not "
        "on the team decides."
    }
    client = Client()
    client.force_login(gina)
    page = client.get(reverse("promotion-review", kwargs={"pk": promotion.pk}))
    assert page.status_code == 200  # read-only, with who decides
    assert "Another reviewer decides." in page.content.decode()
    assert "Record review" not in page.content.decode()
    # By name: the reviewer off the team, never gina, never the requester.
    assert [p.username for p in page.context["deciders"]] == ["reviewer"]

    assert (
        client.post(
            reverse("promotion-review", kwargs={"pk": promotion.pk}), {"decision": "approve"}
        ).status_code
        == 403
    )
    detail = client.get(initiative.get_absolute_url()).content.decode()
    assert "Review the promotion" not in detail
    assert "another governance reviewer who is not on the team decides" in detail
    promotion.refresh_from_db()
    assert promotion.status == "pending"

    # The queue marks it and does not link to the review form; My work leaves it out.
    queue = client.get(reverse("governance-queue"))
    [item] = queue.context["queue"].promotions.items
    assert item.decided_elsewhere
    html = queue.content.decode()
    assert "yours: another reviewer decides" in html
    assert reverse("promotion-review", kwargs={"pk": promotion.pk}) not in html
    assert client.get(reverse("my-work")).context["work"].promotions_to_review == []

    # A reviewer off the team decides.
    other = APIClient()
    other.force_authenticate(reviewer)
    approved = other.post(
        f"/api/v1/promotion-requests/{promotion.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert approved.status_code == 200


# --- The outgoing owner kept as backup --------------------------------------------------------


@pytest.fixture
def kept_as_backup(contributor, owner):
    """Tom owns the system (accepted), Ana is backup; the team names Mei and keeps Tom as
    backup, a usual wish while Mei settles in."""
    tom, ana, mei = owner, UserFactory(username="ana"), UserFactory(username="mei")
    initiative = InitiativeFactory(
        slug="claims-triage",
        stage=Stage.PILOT,
        production_owner=tom,
        owner_accepted_at=timezone.now() - timedelta(days=30),
        backup_owner=ana,
        members=[contributor],
    )
    before = SimpleNamespace(accepted_at=initiative.owner_accepted_at)
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/handover/",
        {"to_owner": "mei", "backup_owner": "owner"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    initiative.refresh_from_db()
    assert (initiative.production_owner, initiative.backup_owner) == (mei, tom)
    return SimpleNamespace(
        initiative=initiative,
        handover=OwnershipHandover.objects.get(pk=response.json()["id"]),
        tom=tom,
        ana=ana,
        mei=mei,
        accepted_at=before.accepted_at,
    )


def test_named_owner_can_decline_when_the_outgoing_owner_was_kept_as_backup(kept_as_backup):
    k = kept_as_backup
    response = api_client_for(k.mei).post(
        f"/api/v1/handovers/{k.handover.pk}/decline/", {"note": "No budget."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == HandoverStatus.DECLINED
    k.initiative.refresh_from_db()
    # The arrangement from before the handover, intact: Tom owns it (accepted), Ana is backup.
    assert (k.initiative.production_owner, k.initiative.backup_owner) == (k.tom, k.ana)
    assert k.initiative.owner_accepted_at == k.accepted_at


def test_named_owner_can_decline_on_the_page_when_the_outgoing_owner_was_kept_as_backup(
    kept_as_backup, as_user
):
    k = kept_as_backup
    response = as_user(k.mei).post(
        reverse("handover-answer", args=[k.handover.pk]),
        {"action": "decline", "note": "Not my team."},
    )
    assert response.status_code == 302
    k.initiative.refresh_from_db()
    k.handover.refresh_from_db()
    assert k.handover.status == HandoverStatus.DECLINED
    assert (k.initiative.production_owner, k.initiative.backup_owner) == (k.tom, k.ana)


def test_declining_a_replacing_handover_restores_the_backup_from_before_the_first(
    kept_as_backup, contributor
):
    """Mei (Tom kept as backup) is replaced by Kenji, who declines: Tom and Ana again."""
    k = kept_as_backup
    kenji = UserFactory(username="kenji")
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{k.initiative.slug}/handover/", {"to_owner": "kenji"}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = api_client_for(kenji).post(
        f"/api/v1/handovers/{response.json()['id']}/decline/", {"note": "No."}, format="json"
    )
    assert response.status_code == 200, response.json()
    k.initiative.refresh_from_db()
    assert (k.initiative.production_owner, k.initiative.backup_owner) == (k.tom, k.ana)
    assert k.initiative.owner_accepted_at == k.accepted_at


def test_accepting_keeps_the_outgoing_owner_as_backup(kept_as_backup):
    k = kept_as_backup
    response = api_client_for(k.mei).post(
        f"/api/v1/handovers/{k.handover.pk}/accept/", ALL_CONFIRMED, format="json"
    )
    assert response.status_code == 200, response.json()
    k.initiative.refresh_from_db()
    assert (k.initiative.production_owner, k.initiative.backup_owner) == (k.mei, k.tom)


def test_naming_the_backup_owner_as_owner_asks_for_another_backup(contributor, owner):
    backup = UserFactory(username="backup")
    initiative = InitiativeFactory(slug="claims-triage", backup_owner=backup, members=[contributor])
    client = api_client_for(contributor)
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/handover/", {"to_owner": "backup"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "backup_owner": [
            "backup is this initiative's backup owner; name another backup owner to make "
            "them production owner."
        ]
    }
    assert not OwnershipHandover.objects.exists()
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/handover/",
        {"to_owner": "backup", "backup_owner": "owner"},
        format="json",
    )
    assert response.status_code == 201, response.json()


# --- The promotion review page never leaves a reviewer stuck ---------------------------------


def test_a_reviewer_who_comes_too_late_reads_the_decision_instead_of_a_403(
    contributor, reviewer, as_user
):
    """Two reviewers had the queue open; the first approved. The second is told who decided,
    when and why, not "only a reviewer other than the requester may review this"."""
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    promotion = services.promotion_request_create(initiative=initiative, actor=contributor)
    second = UserFactory(username="second", first_name="Sam", last_name="Second", governance=True)
    page = reverse("promotion-review", kwargs={"pk": promotion.pk})
    services.promotion_review(
        promotion=promotion, actor=reviewer, approve=True, comment="Gates are met."
    )

    late = as_user(second).post(page, {"decision": "reject", "comment": "Not yet."})

    assert late.status_code == 409
    html = late.content.decode()
    assert "This promotion request is already approved." in html
    assert "Approved</strong> by" in html
    assert "Gates are met." in html
    assert 'href=""' not in html
    promotion.refresh_from_db()
    assert (promotion.status, promotion.reviewed_by) == ("approved", reviewer)
    assert as_user(second).get(page).status_code == 200
    assert as_user(contributor).get(page).status_code == 403  # not a reviewer at all


def test_the_promotion_review_form_leads_back_to_the_initiative_and_its_evidence(
    contributor, reviewer, as_user
):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    promotion = services.promotion_request_create(initiative=initiative, actor=contributor)

    html = as_user(reviewer).get(reverse("promotion-review", kwargs={"pk": promotion.pk}))
    html = html.content.decode()

    assert 'href=""' not in html  # the breadcrumb and Cancel were empty links
    assert f'<a href="{initiative.get_absolute_url()}">Cancel</a>' in html
    assert reverse("readiness", args=[initiative.slug]) in html
    assert reverse("business-case-list", args=[initiative.slug]) in html


def test_when_nobody_is_free_to_decide_the_page_says_whom_to_ask(contributor, as_user):
    """The only reviewer is on the team: nobody may decide, and the page says so plainly."""
    gina = UserFactory(username="gina", governance=True)
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor, gina])
    promotion = services.promotion_request_create(initiative=initiative, actor=contributor)

    page = as_user(gina).get(reverse("promotion-review", kwargs={"pk": promotion.pk}))

    assert page.context["deciders"] == []
    assert "No governance reviewer is free to decide this" in page.content.decode()


def test_the_promotion_review_preselects_no_decision_and_a_rejection_needs_a_comment(
    contributor, reviewer, as_user
):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    promotion = services.promotion_request_create(initiative=initiative, actor=contributor)
    page = reverse("promotion-review", kwargs={"pk": promotion.pk})
    client = as_user(reviewer)

    html = client.get(page).content.decode()
    assert 'type="radio" name="decision" value="approve"' in html
    assert "checked" not in html  # no decision made for the reviewer
    unchosen = client.post(page, {"comment": "Looks fine."})
    assert unchosen.status_code == 200
    assert unchosen.context["form"].errors["decision"] == ["This field is required."]
    bare_rejection = client.post(page, {"decision": "reject", "comment": " "})
    assert bare_rejection.status_code == 200
    assert bare_rejection.context["form"].errors["comment"] == [
        "Say why the promotion is rejected."
    ]
    promotion.refresh_from_db()
    assert promotion.status == "pending"
