"""The Django admin: usable lists for every model. History is read-only everywhere: nothing
is reverted from it, and what services own (stage, ownership, acceptance, confirmation,
reviews, flags) is shown but never edited here. People are deactivated, never deleted."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from initiatives.accounts.models import ApiTokenRevocation
from initiatives.business_cases.models import ExchangeRate
from initiatives.core import permissions
from initiatives.core.currencies import allowed_currency_choices
from initiatives.core.events import render_events
from initiatives.evidence.models import CrosswalkLink, CrosswalkSource, FrameworkItem
from initiatives.health import services
from initiatives.health.models import HealthReport, HealthReporterGrant, HealthThresholds
from initiatives.identity import signals as identity_signals
from initiatives.identity.models import ScimToken
from initiatives.identity.scim import scim_token_revoke
from initiatives.identity.services import person_deactivate
from initiatives.outbox.models import EmailRecord
from initiatives.ownership.models import OwnershipConfirmation, OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    InitiativeLink,
    StageTransition,
    Team,
    TeamMembership,
)
from initiatives.readiness.models import ApplicationDate, Obligation
from initiatives.regulation.models import Classification, Option, Question
from initiatives.watch.models import Flag, ScanRun


class HistoryAdmin(SimpleHistoryAdmin):
    """Field history to read, never to revert. A revert saves an old row whole, past every
    service and gate: a retired initiative back in production, an acceptance restored. The
    library only hides its Revert button, so the form refuses every submission here."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        self._require_an_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("The history is read-only; nothing is reverted from it.")
        self._require_an_id(object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _require_an_id(self, object_id: str) -> None:
        # The admin routes any `<anything>/history/` here ("1/change/history/" too); what is
        # not an id is a missing page, not a server error.
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404("No such object.") from error


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: visible, never editable."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessUnit)
class BusinessUnitAdmin(HistoryAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(HistoryAdmin):
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
class InitiativeAdmin(HistoryAdmin):
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
    autocomplete_fields = ["sponsor", "business_unit"]
    # Stage and ownership change only through their services, which record transitions and
    # handovers; the admin shows them but cannot bypass the gates. The owning team and the
    # backup owner are named with the production owner (a handover).
    readonly_fields = [
        "stage",
        "stage_entered_at",
        "production_owner",
        "owner_accepted_at",
        "owner_confirmed_at",
        "owning_team",
        "backup_owner",
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

    def has_add_permission(self, request):
        # Proposed on the portal or imported, which make the proposer a contributor and
        # start the timeline.
        return False

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
class OwnershipHandoverAdmin(ReadOnlyAdmin, HistoryAdmin):
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
class PromotionRequestAdmin(ReadOnlyAdmin, HistoryAdmin):
    list_display = ["initiative", "requested_by", "status", "requested_at", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["initiative__name"]
    list_select_related = ["initiative", "requested_by", "reviewed_by"]


class InitiativeEventChangeList(ChangeList):
    """Renders a page of events together: one query for the people they name, not one a row."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = render_events(self.result_list)


@admin.register(InitiativeEvent)
class InitiativeEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "initiative", "kind", "message", "actor"]
    list_filter = ["kind"]
    search_fields = ["initiative__name", "initiative__slug"]
    list_select_related = ["initiative", "actor"]
    fields = ["initiative", "at", "actor", "kind", "message", "params"]
    readonly_fields = ["message"]

    def get_changelist(self, request, **kwargs):
        return InitiativeEventChangeList


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin, HistoryAdmin):
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


# --- EU AI Act obligations: data the admin edits (README "Regulation") ---------------------


@admin.register(ApplicationDate)
class ApplicationDateAdmin(HistoryAdmin):
    """When the law moves a date, change it here: every system it applies to moves too."""

    list_display = ["label", "regime", "applies_from"]
    ordering = ["applies_from", "regime"]

    def has_delete_permission(self, request, obj=None):
        return False  # obligations and initiatives point at it


class ObligationForm(forms.ModelForm):
    """The obligation with its milestone's wording, edited in one form."""

    title = forms.CharField(
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="A concrete statement a team can act on.",
    )
    done_when = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})
    )
    active = forms.BooleanField(
        required=False,
        help_text="Untick to retire the obligation; what was recorded against it is kept.",
    )

    class Meta:
        model = Obligation
        fields = ["article", "applies_to", "role", "paragraph", "application_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        milestone = self.instance.milestone
        for name in ("title", "done_when", "active"):
            self.fields[name].initial = getattr(milestone, name)


@admin.register(Obligation)
class ObligationAdmin(HistoryAdmin):
    """Each obligation is a milestone of the `eu-ai-act` template: the shipped set is edited
    here (wording, article, to whom, from when), never added or deleted."""

    form = ObligationForm
    list_display = ["article", "title", "applies_to", "role", "application_date", "active"]
    list_filter = ["applies_to", "role", "application_date"]
    list_select_related = ["milestone", "application_date"]
    search_fields = ["article", "milestone__title", "milestone__key"]
    ordering = ["milestone__order"]

    @admin.display(description="title")
    def title(self, obj):
        return obj.milestone.title

    @admin.display(boolean=True, description="active")
    def active(self, obj):
        return obj.milestone.active

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        milestone = obj.milestone
        for name in ("title", "done_when", "active"):
            setattr(milestone, name, form.cleaned_data[name])
        milestone._history_user = request.user
        milestone.full_clean()
        milestone.save()
        super().save_model(request, obj, form, change)


@admin.register(HealthReporterGrant)
class HealthReporterGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "initiative", "granted_at"]
    search_fields = ["user__username", "initiative__name", "initiative__slug"]
    autocomplete_fields = ["user", "initiative"]
    list_select_related = ["user", "initiative"]


def _rate_currencies() -> list[tuple[str, str]]:
    reporting = settings.PORTAL_REPORTING_CURRENCY
    return [("", "---------")] + [
        (code, label) for code, label in allowed_currency_choices() if code != reporting
    ]


class ExchangeRateForm(forms.ModelForm):
    currency = forms.ChoiceField(choices=_rate_currencies)

    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from", "note"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(HistoryAdmin):
    """The rates the portfolio converts amounts to the reporting currency with (README
    "Reporting currency"). A wrong rate is corrected, never deleted: the history keeps what
    every total was computed with, and who entered it."""

    form = ExchangeRateForm
    list_display = ["currency", "rate_as_entered", "valid_from", "entered_by", "note"]
    list_filter = ["currency"]
    date_hierarchy = "valid_from"
    list_select_related = ["entered_by"]

    def get_readonly_fields(self, request, obj=None):
        # Shown once there is something to show: who entered the rate, and when.
        return ["entered_by", "entered_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="rate", ordering="rate")
    def rate_as_entered(self, obj) -> str:
        return f"{obj.rate.normalize():f}"

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        obj.entered_at = timezone.now()
        super().save_model(request, obj, form, change)


class RemoveReportsForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=250,
        help_text="Kept on each initiative's timeline with who removed the report.",
    )


@admin.register(HealthReport)
class HealthReportAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "observed_at", "availability", "error_rate", "eval_score"]
    search_fields = ["initiative__slug"]
    list_select_related = ["initiative"]
    date_hierarchy = "observed_at"
    show_full_result_count = False  # counting years of reports is slow and tells nobody much
    actions = ["remove_reports"]

    def has_remove_permission(self, request) -> bool:
        return permissions.can_remove_health_report(request.user)

    @admin.action(description="Remove the selected reports…", permissions=["remove"])
    def remove_reports(self, request, queryset):
        """A broken probe's report is removed through the service, with a reason; a plain
        delete would leave no trace and keep the health status it caused."""
        form = RemoveReportsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reports = list(queryset.select_related("initiative"))
            with transaction.atomic():  # all of them or none
                for report in reports:
                    services.health_report_remove(
                        report=report, actor=request.user, reason=form.cleaned_data["reason"]
                    )
            self.message_user(
                request,
                f"Removed {len(reports)} health report{'s' * (len(reports) != 1)}; "
                "each initiative's timeline says who removed it and why.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/initiatives/healthreport/remove_reports.html",
            {
                **self.admin_site.each_context(request),
                "title": "Remove health reports",
                "opts": self.model._meta,
                "reports": queryset.select_related("initiative"),
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """People are deactivated (untick "active"), never deleted: a deletion would empty the
    author of their timeline entries and history rows and drop their team memberships.

    Deactivating runs the leaver path (`initiatives.identity.services.person_deactivate`):
    from the form, through the hook on the user's save, which this names the administrator
    to; from the list, through the "Deactivate" action, which calls the service itself.
    """

    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change and not obj.is_active:
            setattr(obj, identity_signals.DEACTIVATED_BY, request.user)
            setattr(
                obj,
                identity_signals.DEACTIVATION_REASON,
                f"Deactivated in the admin by {request.user.get_username()}.",
            )
        super().save_model(request, obj, form, change)

    @admin.action(description="Deactivate the selected people (they left)")
    def deactivate(self, request, queryset):
        done = 0
        for person in queryset.filter(is_active=True).order_by("pk"):
            if person.pk == request.user.pk:
                self.message_user(request, "You cannot deactivate yourself.", messages.ERROR)
                continue
            departure = person_deactivate(
                person=person,
                by=request.user,
                reason=f"Deactivated in the admin by {request.user.get_username()}.",
            )
            done += departure is not None
        self.message_user(
            request,
            f"{done} person(s) deactivated: their sessions ended, API tokens revoked and "
            "pending handovers cancelled; the systems they owned are checked for an owner now.",
            messages.SUCCESS,
        )


@admin.register(ApiTokenRevocation)
class ApiTokenRevocationAdmin(ReadOnlyAdmin):
    list_display = ["revoked_at", "user", "name", "token_key", "reason"]
    list_filter = ["reason"]
    search_fields = ["user__username", "name", "token_key"]
    list_select_related = ["user"]


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """The identity provider's SCIM tokens: listed and revoked here, created with
    `manage.py create_scim_token` (which alone sees the token)."""

    list_display = ("name", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("name", "key_hash", "created_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected SCIM tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            scim_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} SCIM token(s) revoked.", messages.SUCCESS)


# --- The cross-walk (README "Frameworks"): data the admin edits; loading it again
# (`manage.py load_crosswalk`) adds what is missing and removes nothing.


@admin.register(CrosswalkSource)
class CrosswalkSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "published", "key"]
    search_fields = ["name", "key"]


class CrosswalkLinkInline(admin.TabularInline):
    model = CrosswalkLink
    extra = 1
    fields = ["milestone", "source"]
    list_select_related = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("milestone__template", "source")


@admin.register(FrameworkItem)
class FrameworkItemAdmin(admin.ModelAdmin):
    list_display = ["code", "framework", "title", "source"]
    list_filter = ["framework", "source"]
    list_select_related = ["source"]
    search_fields = ["code", "title"]
    inlines = [CrosswalkLinkInline]


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(admin.ModelAdmin):
    list_display = ["item", "milestone", "source"]
    list_filter = ["item__framework", "milestone__template", "source"]
    list_select_related = ["item", "milestone__template", "source"]
    search_fields = ["item__code", "milestone__key", "milestone__title"]


# --- EU AI Act classification (README "Regulation") -------------------------------------------


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ("order", "key", "label", "effect")


@admin.register(Question)
class QuestionAdmin(HistoryAdmin):
    """The questionnaire is data: questions, their options and each option's effect on the
    derived result (checked against what the derivation reads). Deactivate a question rather
    than delete it: old answers keep their words."""

    list_display = ("key", "section", "text", "article", "kind", "order", "active")
    list_filter = ("section", "kind", "active")
    search_fields = ("key", "text", "article")
    inlines = [OptionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Classification)
class ClassificationAdmin(ReadOnlyAdmin, HistoryAdmin):
    """Classification versions as recorded; confirmed or returned on the portal's pages."""

    list_display = ("initiative", "version", "status", "category", "submitted_at", "reviewed_at")
    list_filter = ("status", "category")
    search_fields = ("initiative__name", "initiative__slug")
