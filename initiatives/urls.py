from django.urls import path

from initiatives.business_cases import views as business_cases_views
from initiatives.core import views as core_views
from initiatives.dashboards import views as dashboards_views
from initiatives.evidence import views as evidence_views
from initiatives.outbox import views as outbox_views
from initiatives.ownership import views as ownership_views
from initiatives.portfolio import views as portfolio_views
from initiatives.readiness import views as readiness_views
from initiatives.regulation import views as regulation_views
from initiatives.transfer import views as transfer_views
from initiatives.value import views as value_views

urlpatterns = [
    path("", dashboards_views.PortfolioView.as_view(), name="portfolio"),
    path("my-work/", dashboards_views.MyWorkView.as_view(), name="my-work"),
    path(
        "portfolio/readiness/",
        dashboards_views.ReadinessMapView.as_view(),
        name="readiness-map",
    ),
    path("governance/", dashboards_views.GovernanceQueueView.as_view(), name="governance-queue"),
    path("people/search/", core_views.PeopleSearchView.as_view(), name="people-search"),
    path("initiatives/", portfolio_views.InitiativeListView.as_view(), name="initiative-list"),
    path(
        "initiatives/export.csv",
        transfer_views.InitiativeExportView.as_view(),
        name="initiative-export",
    ),
    path(
        "initiatives/export-for-import.csv",
        transfer_views.InitiativeExportForImportView.as_view(),
        name="initiative-export-for-import",
    ),
    path(
        "initiatives/new/", portfolio_views.InitiativeCreateView.as_view(), name="initiative-create"
    ),
    path("initiatives/import/", transfer_views.ImportView.as_view(), name="initiative-import"),
    path(
        "initiatives/<slug:slug>/",
        portfolio_views.InitiativeDetailView.as_view(),
        name="initiative-detail",
    ),
    path(
        "initiatives/<slug:slug>/edit/",
        portfolio_views.InitiativeEditView.as_view(),
        name="initiative-edit",
    ),
    path(
        "initiatives/<slug:slug>/stage/",
        portfolio_views.InitiativeTransitionView.as_view(),
        name="initiative-transition",
    ),
    path(
        "initiatives/<slug:slug>/owner/",
        ownership_views.HandoverCreateView.as_view(),
        name="initiative-handover",
    ),
    path(
        "initiatives/<slug:slug>/confirm-ownership/",
        ownership_views.OwnershipConfirmView.as_view(),
        name="initiative-confirm-ownership",
    ),
    path(
        "initiatives/<slug:slug>/promotion/",
        ownership_views.PromotionRequestView.as_view(),
        name="initiative-promotion",
    ),
    path(
        "ownership/confirm/<str:token>/",
        ownership_views.OwnershipLinkConfirmView.as_view(),
        name="ownership-confirm",
    ),
    path("emails/", outbox_views.EmailListView.as_view(), name="email-list"),
    path("emails/<int:pk>/", outbox_views.EmailDetailView.as_view(), name="email-detail"),
    path(
        "emails/<int:pk>/send-again/",
        outbox_views.EmailSendAgainView.as_view(),
        name="email-send-again",
    ),
    path("initiatives/<slug:slug>/value/", value_views.ValueView.as_view(), name="value"),
    path(
        "initiatives/<slug:slug>/value/report/",
        value_views.ValueReportFormView.as_view(),
        name="value-report",
    ),
    path(
        "initiatives/<slug:slug>/value/import/",
        value_views.ValueImportView.as_view(),
        name="value-import",
    ),
    path(
        "initiatives/<slug:slug>/business-case/",
        business_cases_views.BusinessCaseListView.as_view(),
        name="business-case-list",
    ),
    path(
        "initiatives/<slug:slug>/business-case/new/",
        business_cases_views.BusinessCaseFormView.as_view(),
        name="business-case-create",
    ),
    path(
        "initiatives/<slug:slug>/business-case/compare/",
        business_cases_views.BusinessCaseCompareView.as_view(),
        name="business-case-compare",
    ),
    path(
        "initiatives/<slug:slug>/business-case/v<int:version>/",
        business_cases_views.BusinessCaseDetailView.as_view(),
        name="business-case-detail",
    ),
    path(
        "initiatives/<slug:slug>/business-case/v<int:version>/edit/",
        business_cases_views.BusinessCaseFormView.as_view(),
        name="business-case-edit",
    ),
    path(
        "initiatives/<slug:slug>/business-case/v<int:version>/revise/",
        business_cases_views.BusinessCaseReviseView.as_view(),
        name="business-case-revise",
    ),
    path("frameworks/", evidence_views.FrameworksView.as_view(), name="frameworks"),
    path(
        "initiatives/<slug:slug>/frameworks/",
        evidence_views.InitiativeFrameworksView.as_view(),
        name="initiative-frameworks",
    ),
    path(
        "initiatives/<slug:slug>/evidence-pack/",
        evidence_views.EvidencePackView.as_view(),
        name="evidence-pack",
    ),
    path(
        "initiatives/<slug:slug>/evidence-pack.pdf",
        evidence_views.EvidencePackPdfView.as_view(),
        name="evidence-pack-pdf",
    ),
    path(
        "initiatives/<slug:slug>/readiness/",
        readiness_views.ReadinessView.as_view(),
        name="readiness",
    ),
    path(
        "initiatives/<slug:slug>/readiness/<slug:key>/",
        readiness_views.MilestoneView.as_view(),
        name="milestone",
    ),
    path(
        "initiatives/<slug:slug>/classification/",
        regulation_views.ClassificationView.as_view(),
        name="classification",
    ),
    path(
        "initiatives/<slug:slug>/classification/v<int:version>/",
        regulation_views.ClassificationVersionView.as_view(),
        name="classification-version",
    ),
    path(
        "handovers/<int:pk>/", ownership_views.HandoverAnswerView.as_view(), name="handover-answer"
    ),
    path(
        "promotions/<int:pk>/review/",
        ownership_views.PromotionReviewView.as_view(),
        name="promotion-review",
    ),
]
