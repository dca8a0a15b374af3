"""Factories for every model, one module per domain; all of them importable from here
(`from tests.factories import InitiativeFactory`).

They write rows straight to the database to ARRANGE a test, with defaults that pass
`full_clean()`. They bypass the services (no events, no e-mails, no permission checks):
when that behaviour is what a test is about, call the service instead.
"""

from tests.factories.accounts import (
    ApiTokenInfoFactory,
    ApiTokenRevocationFactory,
    AuthTokenFactory,
)
from tests.factories.business_cases import BusinessCaseFactory, ExchangeRateFactory
from tests.factories.evidence import (
    CrosswalkLinkFactory,
    CrosswalkSourceFactory,
    FrameworkItemFactory,
)
from tests.factories.health import (
    HealthDayFactory,
    HealthReporterGrantFactory,
    HealthReportFactory,
    HealthThresholdsFactory,
)
from tests.factories.identity import ScimAccountFactory, ScimGroupFactory, ScimTokenFactory
from tests.factories.ops import TaskOutcomeCountFactory
from tests.factories.outbox import EmailRecordFactory
from tests.factories.ownership import (
    OwnershipConfirmationFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
)
from tests.factories.portfolio import (
    BusinessUnitFactory,
    InitiativeEventFactory,
    InitiativeFactory,
    InitiativeLinkFactory,
    StageTransitionFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.factories.readiness import (
    ApplicableObligationFactory,
    ApplicationDateFactory,
    MilestoneRecordFactory,
    ObligationFactory,
    ReadinessMilestoneFactory,
    ReadinessTemplateFactory,
    complete_readiness,
)
from tests.factories.regulation import ClassificationFactory, OptionFactory, QuestionFactory
from tests.factories.value import ValueReporterGrantFactory, ValueReportFactory
from tests.factories.watch import FlagFactory, ScanRunFactory

__all__ = [
    "ApiTokenInfoFactory",
    "ApiTokenRevocationFactory",
    "ApplicableObligationFactory",
    "ApplicationDateFactory",
    "AuthTokenFactory",
    "BusinessCaseFactory",
    "BusinessUnitFactory",
    "ClassificationFactory",
    "CrosswalkLinkFactory",
    "CrosswalkSourceFactory",
    "EmailRecordFactory",
    "ExchangeRateFactory",
    "FlagFactory",
    "FrameworkItemFactory",
    "HealthDayFactory",
    "HealthReportFactory",
    "HealthReporterGrantFactory",
    "HealthThresholdsFactory",
    "InitiativeEventFactory",
    "InitiativeFactory",
    "InitiativeLinkFactory",
    "MilestoneRecordFactory",
    "ObligationFactory",
    "OptionFactory",
    "OwnershipConfirmationFactory",
    "OwnershipHandoverFactory",
    "PromotionRequestFactory",
    "QuestionFactory",
    "ReadinessMilestoneFactory",
    "ReadinessTemplateFactory",
    "ScanRunFactory",
    "ScimAccountFactory",
    "ScimGroupFactory",
    "ScimTokenFactory",
    "StageTransitionFactory",
    "TaskOutcomeCountFactory",
    "TeamFactory",
    "TeamMembershipFactory",
    "UserFactory",
    "ValueReportFactory",
    "ValueReporterGrantFactory",
    "complete_readiness",
]
