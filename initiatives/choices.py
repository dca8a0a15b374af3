from django.db import models


class Stage(models.TextChoices):
    IDEA = "idea", "Idea"
    POC = "poc", "Proof of concept"
    PILOT = "pilot", "Pilot"
    PRODUCTION = "production", "Production"
    RETIRED = "retired", "Retired"
    CANCELLED = "cancelled", "Cancelled"


# The stages an initiative moves forward through, in order.
STAGE_ORDER: tuple[str, ...] = (
    Stage.IDEA,
    Stage.POC,
    Stage.PILOT,
    Stage.PRODUCTION,
    Stage.RETIRED,
)
TERMINAL_STAGES = frozenset({Stage.RETIRED, Stage.CANCELLED})
# Stages in which a production owner is mandatory (PRODUCT.md section 3).
OWNED_STAGES = frozenset({Stage.PILOT, Stage.PRODUCTION})


class RiskTier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class HandoverStatus(models.TextChoices):
    PENDING = "pending", "Pending acceptance"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    SUPERSEDED = "superseded", "Superseded"


class PromotionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ConfirmationChannel(models.TextChoices):
    WEB = "web", "Initiative page"
    API = "api", "API"
    EMAIL = "email", "E-mail link"
    HANDOVER = "handover", "Handover accepted"
    IMPORT = "import", "Import"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    STAGE_CHANGED = "stage_changed", "Stage changed"
    OWNER_NAMED = "owner_named", "Owner named"
    HANDOVER_ACCEPTED = "handover_accepted", "Handover accepted"
    HANDOVER_DECLINED = "handover_declined", "Handover declined"
    OWNERSHIP_CONFIRMED = "ownership_confirmed", "Ownership confirmed"
    PROMOTION_REQUESTED = "promotion_requested", "Promotion requested"
    PROMOTION_REVIEWED = "promotion_reviewed", "Promotion reviewed"
    IMPORTED = "imported", "Imported"
