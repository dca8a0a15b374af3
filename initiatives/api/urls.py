from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.schemas.inspectors import DefaultSchema

from . import portfolio, views
from .throttling import ThrottleFirstMixin


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
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("handovers", views.HandoverViewSet, basename="handover")
router.register("flags", views.FlagViewSet, basename="flag")
router.register("emails", views.EmailViewSet, basename="email")
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/health",
    views.HealthViewSet,
    basename="health",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/readiness",
    views.ReadinessViewSet,
    basename="readiness",
)
router.register(
    r"initiatives/(?P<initiative_slug>[-a-zA-Z0-9_]+)/business-cases",
    views.BusinessCaseViewSet,
    basename="business-case",
)
router.register("promotion-requests", views.PromotionRequestViewSet, basename="promotion-request")

app_name = "api"
urlpatterns = [
    path("portfolio/", portfolio.PortfolioView.as_view(), name="portfolio"),
    path("", include(router.urls)),
]
