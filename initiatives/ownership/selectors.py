"""What the ownership decisions show as evidence (README "Decisions show their evidence").

A promotion reviewer and an incoming owner decide on one page; these selectors gather,
from each domain's own selectors, what that page shows. Each is a fixed number of queries,
however many milestones, reports or flags there are.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.selectors import business_case_summary
from initiatives.core.choices import HandoverStatus, Stage
from initiatives.health.selectors import HealthSummary, health_summary
from initiatives.ownership import gates as ownership_gates
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio.gates import UnmetDomain, conditions_of, gates_for, grouped
from initiatives.portfolio.models import Initiative, TeamMembership
from initiatives.readiness.selectors import Readiness, readiness_of
from initiatives.watch.models import Flag
from initiatives.watch.selectors import open_flags

HEALTH_DAYS = 30


def _initiative(pk: int) -> Initiative:
    return Initiative.objects.select_related(
        "production_owner", "backup_owner", "owning_team", "readiness_template", "sponsor"
    ).get(pk=pk)


def _open_flags(initiative: Initiative) -> list[Flag]:
    return list(open_flags().filter(initiative=initiative).order_by("opened_at", "kind"))


def stage_movers(initiative: Initiative) -> list[AbstractBaseUser]:
    """Who may move the initiative's stage, by name: the owner once they have accepted, the
    backup owner, then the team's contributors (the people `can_change_stage` lets through,
    superusers aside). One query."""
    people: list[AbstractBaseUser] = []
    if initiative.production_owner_id and initiative.owner_accepted_at:
        people.append(initiative.production_owner)
    if initiative.backup_owner_id:
        people.append(initiative.backup_owner)
    members = (
        TeamMembership.objects.filter(initiative=initiative, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    known = {p.pk for p in people}
    people.extend(m.user for m in members if m.user_id not in known)
    return [p for p in people if p.is_active]


def production_blockers(initiative: Initiative) -> list:
    """What would still stop the move to production once the promotion is approved: every
    production gate in the registry except the approval itself, in the registry's words."""
    checks = [c for c in gates_for(Stage.PRODUCTION) if c is not ownership_gates.promotion_approved]
    return conditions_of(initiative, checks)


@dataclass
class PromotionEvidence:
    initiative: Initiative
    readiness: Readiness | None
    case: BusinessCase | None  # the approved (current) business case
    owner: AbstractBaseUser | None
    owner_accepted_at: datetime | None
    pending_handover: OwnershipHandover | None
    backup_owner: AbstractBaseUser | None
    health: HealthSummary
    flags: list[Flag]
    blockers: list
    movers: list[AbstractBaseUser] = field(default_factory=list)

    @property
    def blocker_domains(self) -> list[UnmetDomain]:
        """The blockers grouped by domain, each a link to where it is met (as a refused
        stage change shows them)."""
        return grouped(self.blockers)


def promotion_evidence(promotion: PromotionRequest) -> PromotionEvidence:
    """What a promotion reviewer needs on the page: readiness for production by domain with
    the missing milestones, the approved business case, the owner and whether they accepted
    (and the backup), health over the last 30 days, the open flags, what would still block
    the move after approval, and who may then move the stage."""
    initiative = _initiative(promotion.initiative_id)
    pending = (
        OwnershipHandover.objects.filter(initiative=initiative, status=HandoverStatus.PENDING)
        .select_related("to_owner")
        .first()
    )
    return PromotionEvidence(
        initiative=initiative,
        readiness=readiness_of(initiative, Stage.PRODUCTION),
        case=business_case_summary(initiative)["current_case"],
        owner=initiative.production_owner,
        owner_accepted_at=initiative.owner_accepted_at,
        pending_handover=pending,
        backup_owner=initiative.backup_owner,
        health=health_summary(initiative, HEALTH_DAYS),
        flags=_open_flags(initiative),
        blockers=production_blockers(initiative),
        movers=stage_movers(initiative),
    )


@dataclass
class HandoverEvidence:
    initiative: Initiative
    case: BusinessCase | None  # the approved case, else the latest version
    case_is_approved: bool
    readiness: Readiness | None
    flags: list[Flag]
    health: HealthSummary | None  # only for a live (production) system
    confirmation_days: int


def handover_evidence(handover: OwnershipHandover) -> HandoverEvidence:
    """What the incoming owner accepts: the risk tier (on the initiative), the yearly run
    cost from the current case (the approved one, else the latest version), readiness
    toward the next stage, the open flags, the health of a live system, and how often
    ownership must be re-confirmed (PORTAL_OWNERSHIP_CONFIRMATION_DAYS)."""
    initiative = _initiative(handover.initiative_id)
    cases = business_case_summary(initiative)
    case = cases["current_case"] or cases["latest_case"]
    live = initiative.stage == Stage.PRODUCTION
    return HandoverEvidence(
        initiative=initiative,
        case=case,
        case_is_approved=case is not None and case is cases["current_case"],
        readiness=readiness_of(initiative),
        flags=_open_flags(initiative),
        health=health_summary(initiative, HEALTH_DAYS) if live else None,
        confirmation_days=settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS,
    )
