from initiatives.core.choices import BusinessCaseStatus, Stage
from initiatives.portfolio.gates import gate
from initiatives.portfolio.models import Initiative


@gate(Stage.PILOT)
def business_case_submitted(initiative: Initiative) -> list[str]:
    submitted = (BusinessCaseStatus.SUBMITTED, BusinessCaseStatus.APPROVED)
    if not initiative.business_cases.filter(status__in=submitted).exists():
        return ["Submit a business case."]
    return []


@gate(Stage.PRODUCTION)
def business_case_approved(initiative: Initiative) -> list[str]:
    if not initiative.business_cases.filter(status=BusinessCaseStatus.APPROVED).exists():
        return ["A governance reviewer has not approved a business case."]
    return []
