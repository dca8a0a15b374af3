from .business_case import BusinessCase
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
from .watch import EmailRecord, Flag, ScanRun

__all__ = [
    "BusinessCase",
    "BusinessUnit",
    "EmailRecord",
    "Flag",
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
