from .business_case import BusinessCase
from .health import HealthReport, HealthReporterGrant, HealthThresholds
from .portfolio import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    InitiativeLink,
    OwnershipConfirmation,
    OwnershipHandover,
    PromotionRequest,
    StageTransition,
    Team,
    TeamMembership,
)
from .readiness import MilestoneRecord, ReadinessMilestone, ReadinessTemplate
from .tokens import ApiTokenInfo, ApiTokenRevocation
from .watch import EmailRecord, Flag, ScanRun

__all__ = [
    "ApiTokenInfo",
    "ApiTokenRevocation",
    "BusinessCase",
    "BusinessUnit",
    "EmailRecord",
    "Flag",
    "HealthReport",
    "HealthReporterGrant",
    "HealthThresholds",
    "Initiative",
    "InitiativeEvent",
    "InitiativeLink",
    "MilestoneRecord",
    "OwnershipConfirmation",
    "OwnershipHandover",
    "PromotionRequest",
    "ReadinessMilestone",
    "ReadinessTemplate",
    "ScanRun",
    "StageTransition",
    "Team",
    "TeamMembership",
]
