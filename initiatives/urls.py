from django.urls import path

from . import views, views_business_case, views_dashboards, views_readiness

urlpatterns = [
    path("", views_dashboards.PortfolioView.as_view(), name="portfolio"),
    path("my-work/", views_dashboards.MyWorkView.as_view(), name="my-work"),
    path("governance/", views_dashboards.GovernanceQueueView.as_view(), name="governance-queue"),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiative-list"),
    path(
        "initiatives/export.csv",
        views_dashboards.InitiativeExportView.as_view(),
        name="initiative-export",
    ),
    path("initiatives/new/", views.InitiativeCreateView.as_view(), name="initiative-create"),
    path("initiatives/import/", views.ImportView.as_view(), name="initiative-import"),
    path(
        "initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"
    ),
    path(
        "initiatives/<slug:slug>/edit/", views.InitiativeEditView.as_view(), name="initiative-edit"
    ),
    path(
        "initiatives/<slug:slug>/stage/",
        views.InitiativeTransitionView.as_view(),
        name="initiative-transition",
    ),
    path(
        "initiatives/<slug:slug>/owner/",
        views.HandoverCreateView.as_view(),
        name="initiative-handover",
    ),
    path(
        "initiatives/<slug:slug>/confirm-ownership/",
        views.OwnershipConfirmView.as_view(),
        name="initiative-confirm-ownership",
    ),
    path(
        "initiatives/<slug:slug>/promotion/",
        views.PromotionRequestView.as_view(),
        name="initiative-promotion",
    ),
    path(
        "ownership/confirm/<str:token>/",
        views.OwnershipLinkConfirmView.as_view(),
        name="ownership-confirm",
    ),
    path("emails/", views.EmailListView.as_view(), name="email-list"),
    path(
        "emails/<int:pk>/send-again/",
        views.EmailSendAgainView.as_view(),
        name="email-send-again",
    ),
    path(
        "initiatives/<slug:slug>/business-case/",
        views_business_case.BusinessCaseListView.as_view(),
        name="business-case-list",
    ),
    path(
        "initiatives/<slug:slug>/business-case/new/",
        views_business_case.BusinessCaseFormView.as_view(),
        name="business-case-create",
    ),
    path(
        "initiatives/<slug:slug>/business-case/compare/",
        views_business_case.BusinessCaseCompareView.as_view(),
        name="business-case-compare",
    ),
    path(
        "initiatives/<slug:slug>/business-case/v<int:version>/",
        views_business_case.BusinessCaseDetailView.as_view(),
        name="business-case-detail",
    ),
    path(
        "initiatives/<slug:slug>/business-case/v<int:version>/edit/",
        views_business_case.BusinessCaseFormView.as_view(),
        name="business-case-edit",
    ),
    path(
        "initiatives/<slug:slug>/readiness/",
        views_readiness.ReadinessView.as_view(),
        name="readiness",
    ),
    path(
        "initiatives/<slug:slug>/readiness/<slug:key>/",
        views_readiness.MilestoneView.as_view(),
        name="milestone",
    ),
    path("handovers/<int:pk>/", views.HandoverAnswerView.as_view(), name="handover-answer"),
    path(
        "promotions/<int:pk>/review/",
        views.PromotionReviewView.as_view(),
        name="promotion-review",
    ),
]
