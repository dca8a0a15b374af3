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
from .watch import EmailRecord, Flag, ScanRun

__all__ = [
    "BusinessCase",
    "BusinessUnit",
    "EmailRecord",
    "Flag",
    "Initiative",
    "InitiativeEvent",
    "InitiativeLink",
    "OwnershipConfirmation",
    "OwnershipHandover",
    "PromotionRequest",
    "ScanRun",
    "StageTransition",
    "Team",
    "TeamMembership",
]
