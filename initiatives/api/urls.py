from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import portfolio, views

router = DefaultRouter()
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("handovers", views.HandoverViewSet, basename="handover")
router.register("flags", views.FlagViewSet, basename="flag")
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
