"""The business case's stage gates: pilot needs a case submitted for review, production an
approved one. Each unmet condition links to where the team meets it: the draft to submit,
the version awaiting review, or the form for a (new) version."""

from django.urls import reverse

from initiatives.core.choices import BusinessCaseStatus, Stage
from initiatives.portfolio.gates import BUSINESS_CASE, Unmet, gate
from initiatives.portfolio.models import Initiative

_OUTCOMES = {
    BusinessCaseStatus.CHANGES_REQUESTED: "was returned for changes",
    BusinessCaseStatus.REJECTED: "was rejected",
}


def _write_or_continue(initiative: Initiative, message: str) -> Unmet:
    """The condition, linked to the draft if there is one, else to the form for a new
    version (the first, or one that starts from the returned or rejected version)."""
    latest = initiative.business_cases.order_by("-version").first()
    if latest is not None and latest.status == BusinessCaseStatus.DRAFT:
        return Unmet(
            domain=BUSINESS_CASE,
            message=message,
            title=f"Submit draft version {latest.version} of the business case for review",
            fix_url=reverse("business-case-edit", args=[initiative.slug, latest.version]),
        )
    if latest is not None and latest.status == BusinessCaseStatus.SUBMITTED:
        return Unmet(
            domain=BUSINESS_CASE,
            message=message,
            title=f"Version {latest.version} of the business case awaits a governance "
            "reviewer's decision",
            fix_url=latest.get_absolute_url(),
        )
    title = "Write the business case"
    if latest is not None:
        outcome = _OUTCOMES.get(latest.status, latest.get_status_display().lower())
        title = f"Write a new version of the business case (version {latest.version} {outcome})"
    return Unmet(
        domain=BUSINESS_CASE,
        message=message,
        title=title,
        fix_url=reverse("business-case-create", args=[initiative.slug]),
    )


@gate(Stage.PILOT)
def business_case_submitted(initiative: Initiative) -> list[Unmet]:
    submitted = (BusinessCaseStatus.SUBMITTED, BusinessCaseStatus.APPROVED)
    if not initiative.business_cases.filter(status__in=submitted).exists():
        return [_write_or_continue(initiative, "Submit a business case.")]
    return []


@gate(Stage.PRODUCTION)
def business_case_approved(initiative: Initiative) -> list[Unmet]:
    if not initiative.business_cases.filter(status=BusinessCaseStatus.APPROVED).exists():
        return [
            _write_or_continue(
                initiative, "A governance reviewer has not approved a business case."
            )
        ]
    return []
