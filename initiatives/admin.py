"""The Django admin: usable lists for every model. History is read-only everywhere."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ApiTokenRevocation,
    BusinessUnit,
    EmailRecord,
    Flag,
    HealthReport,
    HealthReporterGrant,
    HealthThresholds,
    Initiative,
    InitiativeEvent,
    InitiativeLink,
    OwnershipConfirmation,
    OwnershipHandover,
    PromotionRequest,
    ScanRun,
    StageTransition,
    Team,
    TeamMembership,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: visible, never editable."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessUnit)
class BusinessUnitAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "email"]
    search_fields = ["name", "email"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


class HealthThresholdsInline(admin.StackedInline):
    model = HealthThresholds
    extra = 0
    max_num = 1
    verbose_name_plural = "health thresholds (empty fields keep the defaults)"


class HealthGrantInline(admin.TabularInline):
    model = HealthReporterGrant
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name_plural = "machine clients that may push health reports"


class InitiativeLinkInline(admin.TabularInline):
    model = InitiativeLink
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "stage",
        "stage_entered_at",
        "business_unit",
        "risk_tier",
        "production_owner",
        "owner_confirmed_at",
    ]
    list_filter = ["stage", "business_unit", "risk_tier", "owning_team"]
    search_fields = ["name", "slug", "summary"]
    list_select_related = ["business_unit", "production_owner"]
    autocomplete_fields = ["sponsor", "backup_owner", "business_unit"]
    # Stage and ownership change only through their services, which record transitions and
    # handovers; the admin shows them but cannot bypass the gates.
    readonly_fields = [
        "stage",
        "stage_entered_at",
        "production_owner",
        "owner_accepted_at",
        "owner_confirmed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [
        TeamMembershipInline,
        InitiativeLinkInline,
        HealthThresholdsInline,
        HealthGrantInline,
    ]
    date_hierarchy = "stage_entered_at"

    def has_delete_permission(self, request, obj=None):
        # Initiatives end as retired or cancelled; their history stays.
        return False


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "from_stage", "to_stage", "actor", "at"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["initiative__name", "note"]
    list_select_related = ["initiative", "actor"]


@admin.register(OwnershipHandover)
class OwnershipHandoverAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["initiative", "from_owner", "to_owner", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["initiative__name", "to_owner__username", "from_owner__username"]
    list_select_related = ["initiative", "from_owner", "to_owner"]


@admin.register(OwnershipConfirmation)
class OwnershipConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "owner", "confirmed_at", "channel"]
    list_filter = ["channel"]
    search_fields = ["initiative__name", "owner__username"]
    list_select_related = ["initiative", "owner"]


@admin.register(PromotionRequest)
class PromotionRequestAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["initiative", "requested_by", "status", "requested_at", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["initiative__name"]
    list_select_related = ["initiative", "requested_by", "reviewed_by"]


@admin.register(InitiativeEvent)
class InitiativeEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "initiative", "kind", "message", "actor"]
    list_filter = ["kind"]
    search_fields = ["initiative__name", "message"]
    list_select_related = ["initiative", "actor"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["initiative", "kind", "opened_at", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["initiative__name", "initiative__slug"]
    list_select_related = ["initiative"]


@admin.register(EmailRecord)
class EmailRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "initiative",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "resent_by",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "initiative__name", "dedupe_key"]
    list_select_related = ["initiative", "resent_by"]


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "as_of",
        "flags_opened",
        "flags_resolved",
        "emails_queued",
    ]


@admin.register(HealthReporterGrant)
class HealthReporterGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "initiative", "granted_at"]
    search_fields = ["user__username", "initiative__name", "initiative__slug"]
    autocomplete_fields = ["user", "initiative"]
    list_select_related = ["user", "initiative"]


@admin.register(HealthReport)
class HealthReportAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "observed_at", "availability", "error_rate", "eval_score"]
    search_fields = ["initiative__slug"]
    list_select_related = ["initiative"]
    date_hierarchy = "observed_at"
    show_full_result_count = False  # counting years of reports is slow and tells nobody much


@admin.register(ApiTokenRevocation)
class ApiTokenRevocationAdmin(ReadOnlyAdmin):
    list_display = ["revoked_at", "user", "name", "token_key", "reason"]
    list_filter = ["reason"]
    search_fields = ["user__username", "name", "token_key"]
    list_select_related = ["user"]
