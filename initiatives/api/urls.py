from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.schemas.inspectors import DefaultSchema

from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.business_cases import api as business_cases_api
from initiatives.dashboards import api as dashboards_api
from initiatives.evidence import api as evidence_api
from initiatives.health import api as health_api
from initiatives.outbox import api as outbox_api
from initiatives.ownership import api as ownership_api
from initiatives.portfolio import api as portfolio_api
from initiatives.readiness import api as readiness_api
from initiatives.regulation import api as regulation_api
from initiatives.value import api as value_api
from initiatives.watch import api as watch_api


class ApiRootView(ThrottleFirstMixin, APIRootView):
    """Links to every resource's list."""

    schema = DefaultSchema()  # DRF leaves its root out of schemas; ours is in it

    @extend_schema(
        operation_id="api_root",
        responses={
            200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class Router(DefaultRouter):
    APIRootView = ApiRootView
    # One address per resource: `?format=json` chooses a format, `.json` suffixes do not.
    include_format_suffixes = False


router = Router()
router.register("initiatives", portfolio_api.InitiativeViewSet, basename="initiative")
router.register("handovers", ownership_api.HandoverViewSet, basename="handover")
router.register("flags", watch_api.FlagViewSet, basename="flag")
router.register("emails", outbox_api.EmailViewSet, basename="email")
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/health",
    health_api.HealthViewSet,
    basename="health",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/readiness",
    readiness_api.ReadinessViewSet,
    basename="readiness",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/business-cases",
    business_cases_api.BusinessCaseViewSet,
    basename="business-case",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/evidence-pack",
    evidence_api.EvidencePackViewSet,
    basename="evidence-pack",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/value-reports",
    value_api.ValueReportViewSet,
    basename="value-report",
)
router.register(
    "promotion-requests", ownership_api.PromotionRequestViewSet, basename="promotion-request"
)

app_name = "api"
urlpatterns = [
    path("portfolio/", dashboards_api.PortfolioView.as_view(), name="portfolio"),
    path("portfolio/value/", value_api.PortfolioValueView.as_view(), name="portfolio-value"),
    re_path(
        r"^initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/value/$",
        value_api.ValueComparisonView.as_view(),
        name="initiative-value",
    ),
    # Written as the router writes its routes, so the schema and the endpoint list read
    # the same `{slug}` and `{version}`.
    re_path(
        r"^initiatives/(?P<slug>[-a-zA-Z0-9_]+)/classification/$",
        regulation_api.ClassificationView.as_view(),
        name="classification",
    ),
    re_path(
        r"^initiatives/(?P<slug>[-a-zA-Z0-9_]+)/classification/(?P<version>[0-9]+)/confirm/$",
        regulation_api.ClassificationConfirmView.as_view(),
        name="classification-confirm",
    ),
    re_path(
        r"^initiatives/(?P<slug>[-a-zA-Z0-9_]+)/classification/(?P<version>[0-9]+)/return/$",
        regulation_api.ClassificationReturnView.as_view(),
        name="classification-return",
    ),
    path(
        "regulation/questions/",
        regulation_api.QuestionListView.as_view(),
        name="regulation-questions",
    ),
    path("", include(router.urls)),
]
