from initiatives.accounts.models import ApiTokenInfo, ApiTokenRevocation
from initiatives.business_cases.models import BusinessCase, ExchangeRate
from initiatives.dashboards.models import Standing, StandingCount
from initiatives.evidence.models import CrosswalkLink, CrosswalkSource, FrameworkItem
from initiatives.health.models import (
    HealthDay,
    HealthReport,
    HealthReporterGrant,
    HealthThresholds,
)
from initiatives.identity.models import ScimAccount, ScimGroup, ScimToken
from initiatives.outbox.models import EmailRecord
from initiatives.ownership.models import OwnershipConfirmation, OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    InitiativeLink,
    StageTransition,
    Team,
    TeamMembership,
)
from initiatives.readiness.models import (
    ApplicableObligation,
    ApplicationDate,
    MilestoneRecord,
    Obligation,
    ReadinessMilestone,
    ReadinessTemplate,
)
from initiatives.regulation.models import Classification, Option, Question
from initiatives.value.models import ValueReport, ValueReporterGrant
from initiatives.watch.models import Flag, ScanRun

__all__ = [
    "ApiTokenInfo",
    "ApiTokenRevocation",
    "ApplicableObligation",
    "ApplicationDate",
    "BusinessCase",
    "BusinessUnit",
    "Classification",
    "CrosswalkLink",
    "CrosswalkSource",
    "EmailRecord",
    "ExchangeRate",
    "Flag",
    "FrameworkItem",
    "HealthDay",
    "HealthReport",
    "HealthReporterGrant",
    "HealthThresholds",
    "Initiative",
    "InitiativeEvent",
    "InitiativeLink",
    "MilestoneRecord",
    "Obligation",
    "Option",
    "OwnershipConfirmation",
    "OwnershipHandover",
    "PromotionRequest",
    "Question",
    "ReadinessMilestone",
    "ReadinessTemplate",
    "ScanRun",
    "ScimAccount",
    "ScimGroup",
    "ScimToken",
    "StageTransition",
    "Standing",
    "StandingCount",
    "Team",
    "TeamMembership",
    "ValueReport",
    "ValueReporterGrant",
]
