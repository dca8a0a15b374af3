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
# Stages in which a production owner is mandatory (README "Ownership").
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
    # The person named was deactivated (they left) before they answered.
    CANCELLED = "cancelled", "Cancelled"


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
    HANDOVER_CANCELLED = "handover_cancelled", "Handover cancelled"
    OWNERSHIP_CONFIRMED = "ownership_confirmed", "Ownership confirmed"
    PROMOTION_REQUESTED = "promotion_requested", "Promotion requested"
    PROMOTION_REVIEWED = "promotion_reviewed", "Promotion reviewed"
    IMPORTED = "imported", "Imported"
    CASE_SAVED = "case_saved", "Business case saved"
    CASE_SUBMITTED = "case_submitted", "Business case submitted"
    CASE_REVIEWED = "case_reviewed", "Business case reviewed"
    MILESTONE_UPDATED = "milestone_updated", "Milestone updated"
    HEALTH_REPORT_REMOVED = "health_report_removed", "Health report removed"
    VALUE_REPORTED = "value_reported", "Value reported"
    CLASSIFICATION_SUBMITTED = "classification_submitted", "Classification submitted"
    CLASSIFICATION_CONFIRMED = "classification_confirmed", "Classification confirmed"
    CLASSIFICATION_RETURNED = "classification_returned", "Classification returned"
    OBLIGATIONS_APPLIED = "obligations_applied", "EU AI Act obligations applied"


class FlagKind(models.TextChoices):
    STALLED = "stalled", "Stalled"
    OWNERLESS = "ownerless", "Ownerless"
    STALE_OWNERSHIP = "stale_ownership", "Stale ownership"
    BUSINESS_CASE_MISSING = "business_case_missing", "Business case missing"
    HEALTH_SILENT = "health_silent", "Health silent"
    HEALTH_DEGRADED = "health_degraded", "Health degraded"
    EVAL_REGRESSION = "eval_regression", "Evaluation regression"
    VALUE_UNREPORTED = "value_unreported", "Value unreported"
    VALUE_SHORTFALL = "value_shortfall", "Value shortfall"
    UNCLASSIFIED = "unclassified", "Unclassified"
    REGULATORY_GAP = "regulatory_gap", "Regulatory gap"


class EmailKind(models.TextChoices):
    HANDOVER_REQUEST = "handover_request", "Handover request"
    CASE_REVIEWED = "case_reviewed", "Business case reviewed"
    STALE_OWNERSHIP = "stale_ownership", "Stale ownership"
    OWNERLESS = "ownerless", "Ownerless"
    ESCALATION = "escalation", "Escalation to sponsor"
    DIGEST = "digest", "Weekly digest"
    HANDOVER_CANCELLED = "handover_cancelled", "Handover cancelled"
    VALUE_UNREPORTED = "value_unreported", "Value unreported"
    VALUE_SHORTFALL = "value_shortfall", "Value shortfall"
    REGULATORY_GAP = "regulatory_gap", "Regulatory gap"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class BusinessCaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WAIVED = "waived", "Waived"


class WaiverDecision(models.TextChoices):
    """How a waiver request was answered; the request itself stays on the record."""

    GRANTED = "granted", "Granted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn (the milestone was done)"


class CheckMode(models.TextChoices):
    MANUAL = "manual", "Checked by hand"
    AUTOMATED = "automated", "Checked automatically"


class Scoring(models.TextChoices):
    SHARE = "share", "Share of required milestones"
    ML_TEST_SCORE = "ml_test_score", "ML Test Score (Breck et al., 2017)"


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"
    FAILING = "failing", "Failing"
    SILENT = "silent", "Silent"


# EU AI Act classification (README "Regulation"): the values are those of
# `initiatives.regulation.outcome`.
class RegulatoryCategory(models.TextChoices):
    PROHIBITED = "prohibited", "Prohibited"
    HIGH_RISK = "high_risk", "High-risk"
    TRANSPARENCY = "transparency", "Transparency duties"
    MINIMAL = "minimal", "Minimal risk"


class RegulatoryRole(models.TextChoices):
    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer"
    BOTH = "both", "Provider and deployer"


class ClassificationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    RETURNED = "returned", "Returned for changes"


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    ONE = "one", "One choice"
    SEVERAL = "several", "Several choices"


class ObligationScope(models.TextChoices):
    """Which EU AI Act classifications an obligation follows from (README "Regulation")."""

    EVERYONE = "everyone", "Every AI system"
    HIGH_RISK = "high_risk", "A high-risk system"
    FUNDAMENTAL_RIGHTS = (
        "fundamental_rights",
        "A high-risk system needing a fundamental-rights impact assessment (Art. 27)",
    )
    TRANSPARENCY = "transparency", "An Art. 50 transparency situation (its paragraph)"
    GPAI = "gpai", "A provider of a general-purpose AI model"


class ObligationRole(models.TextChoices):
    """Whose duty an obligation is: the organisation's role for the system must match."""

    ANY = "any", "Provider or deployer"
    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer"


# The groups that carry roles (PRODUCT "People and roles"): governance reviewers, and the
# service accounts whose tokens may only push health reports.
GOVERNANCE_GROUP = "governance"
MACHINE_CLIENTS_GROUP = "machine-clients"


class Framework(models.TextChoices):
    """The frameworks the cross-walk maps milestones to (README "Frameworks")."""

    NIST_AI_RMF = "nist-ai-rmf", "NIST AI RMF 1.0"
    ISO_42001 = "iso-42001", "ISO/IEC 42001:2023 Annex A"


class EvidenceState(models.TextChoices):
    """Whether a framework item has evidence on an initiative (README "Frameworks")."""

    EVIDENCED = "evidenced", "Evidence recorded"
    WAIVED = "waived", "Waived"
    OPEN = "open", "No evidence yet"
    UNMAPPED = "unmapped", "No milestone maps to it"
