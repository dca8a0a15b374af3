"""Every write. Keyword-only functions that take the acting user, check the permission rule,
validate with `full_clean()` and write atomically; they raise `PermissionDenied` or
`ValidationError` so the web forms and the API report the same thing."""

from .business_cases import (
    INPUT_FIELDS,
    CaseEditConflict,
    FormKeyReused,
    business_case_create,
    business_case_review,
    business_case_submit,
    business_case_update,
)
from .common import record_event
from .emails import email_send_again
from .health import IngestResult, health_report_remove, health_reports_ingest
from .portfolio import (
    EDITABLE_FIELDS,
    LinkAlreadyUsed,
    TransitionRefused,
    handover_accept,
    handover_decline,
    handover_start,
    initiative_create,
    initiative_transition,
    initiative_update,
    ownership_confirm,
    promotion_request,
    promotion_review,
)
from .readiness import (
    milestone_update,
    milestone_waive,
    milestone_waiver_decline,
    milestone_waiver_request,
)
from .tokens import (
    api_token_create,
    api_token_lifetime,
    api_token_revoke,
    api_token_touch,
    api_tokens_revoke_all,
)

__all__ = [
    "EDITABLE_FIELDS",
    "INPUT_FIELDS",
    "CaseEditConflict",
    "FormKeyReused",
    "IngestResult",
    "LinkAlreadyUsed",
    "TransitionRefused",
    "api_token_create",
    "api_token_lifetime",
    "api_token_revoke",
    "api_token_touch",
    "api_tokens_revoke_all",
    "business_case_create",
    "business_case_review",
    "business_case_submit",
    "business_case_update",
    "email_send_again",
    "handover_accept",
    "handover_decline",
    "handover_start",
    "health_report_remove",
    "health_reports_ingest",
    "initiative_create",
    "initiative_transition",
    "initiative_update",
    "milestone_update",
    "milestone_waive",
    "milestone_waiver_decline",
    "milestone_waiver_request",
    "ownership_confirm",
    "promotion_request",
    "promotion_review",
    "record_event",
]
