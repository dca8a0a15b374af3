from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import ListView
from django_filters.views import FilterView

from . import emails, health, permissions, selectors, services
from .choices import ConfirmationChannel, EmailStatus, HandoverStatus, PromotionStatus, Stage
from .filtersets import InitiativeFilterSet
from .forms import (
    HandoverAcceptForm,
    HandoverDeclineForm,
    HandoverForm,
    ImportForm,
    InitiativeForm,
    PromotionRequestForm,
    PromotionReviewForm,
    TransitionForm,
    add_service_error,
)
from .gates import is_backward, reachable_stages, unmet_conditions
from .importer import ImportFailed, import_initiatives
from .models import EmailRecord, OwnershipHandover, PromotionRequest
from .people import display_name
from .readiness import checklist


class InitiativeListView(FilterView):
    filterset_class = InitiativeFilterSet
    queryset = selectors.initiative_list()
    template_name = "initiatives/initiative_list.html"
    paginate_by = 25

    def paginate_queryset(self, queryset, page_size):
        # A bookmarked page past the end (the list has shrunk since) or a garbled number
        # shows the nearest page rather than a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class InitiativeDetailView(View):
    def get(self, request, slug):
        initiative = get_object_or_404(selectors.initiative_detail(), slug=slug)
        user = request.user
        can_edit = permissions.can_edit_initiative(user, initiative)
        handovers = list(initiative.handovers.all())
        pending_handover = next((h for h in handovers if h.status == HandoverStatus.PENDING), None)
        promotions = list(initiative.promotion_requests.all())
        pending_promotion = next(
            (p for p in promotions if p.status == PromotionStatus.PENDING), None
        )
        return render(
            request,
            "initiatives/initiative_detail.html",
            {
                "initiative": initiative,
                "handovers": handovers,
                "pending_handover": pending_handover,
                "promotions": promotions,
                "pending_promotion": pending_promotion,
                "events": selectors.initiative_events(initiative),
                "open_flags": list(initiative.flags.all()),  # prefetched: open ones only
                **selectors.business_case_summary(initiative),
                "readiness": checklist(initiative),
                "health": health.health_of(initiative),
                "health_series": health.series(initiative, days=90),
                "health_labels": health.LABELS,
                "history": selectors.initiative_history(initiative),
                "can_edit": can_edit,
                "can_name_owner": permissions.can_name_owner(user, initiative),
                "can_confirm": permissions.can_confirm_ownership(user, initiative),
                "can_answer_handover": pending_handover is not None
                and permissions.can_answer_handover(user, pending_handover),
                "can_request_promotion": can_edit
                and initiative.stage == Stage.PILOT
                and pending_promotion is None,
                "can_review_promotion": pending_promotion is not None
                and permissions.can_review_promotion(user, pending_promotion),
                "promotion_conflict": pending_promotion is not None
                and permissions.is_governance(user)
                and permissions.promotion_conflict(user, pending_promotion),
            },
        )


class ServiceFormView(View):
    """A form whose valid submission calls one service.

    Subclasses set `form_class` and `template_name`, load their object in `load()`, check
    the permission rule in `allowed()`, and call the service in `perform()`. A service's
    ValidationError comes back on the form, with everything the user typed.
    """

    form_class = None
    template_name = ""
    denied_message = "You may not do this."

    def load(self, request, **kwargs):
        return None

    def allowed(self, user, obj) -> bool:
        raise NotImplementedError

    def perform(self, form, obj):
        raise NotImplementedError

    def success_url(self, obj, result) -> str:
        return obj.get_absolute_url()

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def context(self, obj, form) -> dict:
        return {"object": obj, "form": form}

    def dispatch(self, request, *args, **kwargs):
        self.object = self.load(request, **kwargs)
        if not self.allowed(request.user, self.object):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        form = self.form_class(**self.get_form_kwargs(self.object))
        return render(request, self.template_name, self.context(self.object, form))

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, request.FILES, **self.get_form_kwargs(self.object))
        if form.is_valid():
            try:
                result = self.perform(form, self.object)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return HttpResponseRedirect(self.success_url(self.object, result))
        return render(request, self.template_name, self.context(self.object, form))


class InitiativeMixin:
    def load(self, request, slug):
        return get_object_or_404(selectors.initiative_list(), slug=slug)


class InitiativeCreateView(ServiceFormView):
    form_class = InitiativeForm
    template_name = "initiatives/initiative_form.html"

    def allowed(self, user, obj):
        return permissions.can_create_initiative(user)

    def perform(self, form, obj):
        data = form.cleaned_data
        initiative = services.initiative_create(
            actor=self.request.user,
            name=data["name"],
            slug=data["slug"],
            summary=data["summary"],
            business_unit=data["business_unit"],
            sponsor=data["sponsor"],
            risk_tier=data["risk_tier"],
            target_production_date=data["target_production_date"],
            team_members=data["team_members"],
        )
        messages.success(self.request, f"{initiative.name} was created.")
        return initiative

    def success_url(self, obj, result):
        return result.get_absolute_url()


class InitiativeEditView(InitiativeMixin, ServiceFormView):
    form_class = InitiativeForm
    template_name = "initiatives/initiative_form.html"
    denied_message = "Only the initiative's team may edit it."

    def get_form_kwargs(self, obj):
        return {"instance": obj}

    def allowed(self, user, obj):
        return permissions.can_edit_initiative(user, obj)

    def perform(self, form, obj):
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS}
        # ModelForm validation wrote the values onto the instance; the service re-reads it.
        obj.refresh_from_db()
        services.initiative_update(
            initiative=obj,
            actor=self.request.user,
            data=data,
            team_members=form.cleaned_data["team_members"],
        )
        messages.success(self.request, "Changes saved.")


class InitiativeTransitionView(InitiativeMixin, ServiceFormView):
    form_class = TransitionForm
    template_name = "initiatives/transition_form.html"
    denied_message = "Only the initiative's team may change its stage."

    def allowed(self, user, obj):
        return permissions.can_change_stage(user, obj)

    def get_form_kwargs(self, obj):
        stages = reachable_stages(obj)
        following = next((s for s in stages if not is_backward(obj.stage, s)), None)
        return {"stages": stages, "initial": {"to_stage": following}}

    def context(self, obj, form):
        # What each reachable stage would need, so nobody has to guess before submitting.
        blockers = {
            Stage(stage).label: unmet_conditions(obj, stage, "(note)")
            for stage in reachable_stages(obj)
        }
        return {"object": obj, "form": form, "blockers": blockers}

    def perform(self, form, obj):
        transition = services.initiative_transition(
            initiative=obj,
            actor=self.request.user,
            to_stage=form.cleaned_data["to_stage"],
            note=form.cleaned_data["note"],
        )
        messages.success(self.request, f"Moved to {transition.get_to_stage_display()}.")


class HandoverCreateView(InitiativeMixin, ServiceFormView):
    form_class = HandoverForm
    template_name = "initiatives/handover_form.html"
    denied_message = "Only the initiative's team or governance may name its owner."

    def allowed(self, user, obj):
        return permissions.can_name_owner(user, obj)

    def perform(self, form, obj):
        try:
            handover = services.handover_start(
                initiative=obj, actor=self.request.user, **form.cleaned_data
            )
        except PermissionDenied as refused:
            # Whom they may not name (themselves): said on the form, with what they typed.
            raise ValidationError(str(refused)) from refused
        messages.success(
            self.request,
            f"{display_name(handover.to_owner)} was named production owner and must now accept.",
        )


class HandoverAnswerView(View):
    """The named owner accepts (with the three confirmations) or declines a handover."""

    template_name = "initiatives/handover_answer.html"

    def dispatch(self, request, pk):
        self.handover = get_object_or_404(
            OwnershipHandover.objects.select_related("initiative", "requested_by", "to_owner"),
            pk=pk,
        )
        if self.handover.to_owner_id != request.user.pk:
            raise PermissionDenied("Only the person named may answer this handover.")
        if not permissions.can_answer_handover(request.user, self.handover):
            # Answered already, or replaced by a newer handover: say so plainly.
            return render(
                request,
                "initiatives/handover_closed.html",
                {"handover": self.handover, "object": self.handover.initiative},
                status=410,
            )
        return super().dispatch(request, pk)

    def render(self, accept_form, decline_form):
        return render(
            self.request,
            self.template_name,
            {
                "handover": self.handover,
                "object": self.handover.initiative,
                "accept_form": accept_form,
                "decline_form": decline_form,
            },
        )

    def get(self, request, pk):
        return self.render(HandoverAcceptForm(), HandoverDeclineForm())

    def post(self, request, pk):
        accept = request.POST.get("action") != "decline"
        form = (HandoverAcceptForm if accept else HandoverDeclineForm)(request.POST)
        if form.is_valid():
            try:
                if accept:
                    services.handover_accept(
                        handover=self.handover, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, "You now own this system in production.")
                else:
                    services.handover_decline(
                        handover=self.handover, actor=request.user, **form.cleaned_data
                    )
                    messages.info(request, "You declined the handover.")
                return HttpResponseRedirect(self.handover.initiative.get_absolute_url())
            except ValidationError as error:
                add_service_error(form, error)
        if accept:
            return self.render(form, HandoverDeclineForm())
        return self.render(HandoverAcceptForm(), form)


class OwnershipConfirmView(InitiativeMixin, View):
    def post(self, request, slug):
        initiative = self.load(request, slug)
        services.ownership_confirm(initiative=initiative, actor=request.user)
        messages.success(request, "Thank you: your ownership is confirmed.")
        return HttpResponseRedirect(initiative.get_absolute_url())


class PromotionRequestView(InitiativeMixin, ServiceFormView):
    form_class = PromotionRequestForm
    template_name = "initiatives/promotion_form.html"
    denied_message = "Only the initiative's team may request its promotion."

    def allowed(self, user, obj):
        return permissions.can_request_promotion(user, obj)

    def perform(self, form, obj):
        services.promotion_request(initiative=obj, actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Governance has been asked to approve the promotion.")


class PromotionReviewView(ServiceFormView):
    form_class = PromotionReviewForm
    template_name = "initiatives/promotion_review.html"

    def load(self, request, pk):
        return get_object_or_404(
            PromotionRequest.objects.select_related("initiative", "requested_by", "reviewed_by"),
            pk=pk,
        )

    def allowed(self, user, obj):
        return permissions.can_review_promotion(user, obj)

    def dispatch(self, request, *args, **kwargs):
        promotion = self.load(request, **kwargs)
        if permissions.can_review_promotion(request.user, promotion):
            return super().dispatch(request, *args, **kwargs)
        status, reason = permissions.review_promotion_refusal(request.user, promotion)
        if not permissions.is_governance(request.user):
            raise PermissionDenied(reason)
        # A reviewer who may not decide (separation of duties), or who comes too late (it is
        # decided), reads the request and what became of it: never a 403 dead end.
        if request.method == "POST":
            if status == 403:
                raise PermissionDenied(reason)
            messages.error(request, reason)
        return render(
            request,
            "initiatives/promotion_decided_elsewhere.html",
            {"object": promotion, "conflict": reason if status == 403 else ""},
            status=409 if request.method == "POST" else 200,
        )

    def context(self, obj, form):
        return {"object": obj, "form": form, "back_to": obj.initiative}

    def success_url(self, obj, result):
        return obj.initiative.get_absolute_url()

    def perform(self, form, obj):
        services.promotion_review(
            promotion=obj,
            actor=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
        messages.success(self.request, "Your review is recorded.")


class ImportView(ServiceFormView):
    form_class = ImportForm
    template_name = "initiatives/import.html"
    denied_message = "Only administrators may import initiatives."

    def allowed(self, user, obj):
        return permissions.can_import(user)

    def context(self, obj, form):
        from .importer import COLUMNS

        return {"form": form, "columns": COLUMNS, "errors": getattr(self, "import_errors", [])}

    def perform(self, form, obj):
        upload = form.cleaned_data["file"]
        try:
            result = import_initiatives(
                upload.read(),
                actor=self.request.user,
                source=upload.name,
                max_rows=settings.PORTAL_IMPORT_MAX_WEB_ROWS,
            )
        except ImportFailed as failure:
            self.import_errors = failure.errors
            raise ValidationError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in the file."
            ) from failure
        messages.success(
            self.request,
            f"Imported {upload.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
        )

    def success_url(self, obj, result):
        return reverse("initiative-list")


@method_decorator(login_not_required, name="dispatch")
class OwnershipLinkConfirmView(View):
    """The e-mailed "I still own this" link. The signed token names the owner, so no sign-in
    is needed; it expires, and works once. Opening the link shows one button: mail scanners
    that fetch links must not confirm on the owner's behalf."""

    template_name = "initiatives/ownership_link.html"

    def dispatch(self, request, token):
        self.problem, self.initiative, self.owner, self.payload = self._read(token)
        return super().dispatch(request, token)

    def _read(self, token):
        try:
            payload = emails.read_confirmation_token(token)
        except signing.SignatureExpired:
            return "expired", None, None, None
        except signing.BadSignature:
            return "invalid", None, None, None
        initiative = (
            selectors.initiative_list().filter(pk=payload.get("i")).first()
            if isinstance(payload, dict)
            else None
        )
        if initiative is None:
            return "invalid", None, None, None
        if initiative.production_owner_id != payload.get("o"):
            return "not_owner", initiative, None, payload
        owner = initiative.production_owner
        current = initiative.owner_confirmed_at.isoformat() if initiative.owner_confirmed_at else ""
        if current != payload.get("c"):
            return "used", initiative, owner, payload
        return None, initiative, owner, payload

    def respond(self, request, confirmed=False):
        status = {
            None: 200,
            "used": 410,
            "expired": 410,
            "not_owner": 410,
            "invalid": 400,
            "someone_else": 403,
        }
        return render(
            request,
            self.template_name,
            {
                "problem": self.problem,
                "initiative": self.initiative,
                "owner": self.owner,
                "confirmed": confirmed,
            },
            status=status[self.problem],
        )

    def get(self, request, token):
        return self.respond(request)

    def post(self, request, token):
        user = request.user
        if self.problem is None and user.is_authenticated and user.pk != self.owner.pk:
            # The link names the owner; someone else signed in must not confirm for them.
            self.problem = "someone_else"
        if self.problem is None:
            try:
                services.ownership_confirm(
                    initiative=self.initiative,
                    actor=self.owner,
                    channel=ConfirmationChannel.EMAIL,
                    replacing=self.payload["c"],
                )
            except services.LinkAlreadyUsed:
                self.problem = "used"
            except PermissionDenied:
                self.problem = "not_owner"
            else:
                self.initiative.refresh_from_db()
                return self.respond(request, confirmed=True)
        return self.respond(request)


class EmailListView(ListView):
    """Every e-mail Crossing has recorded, for governance to see what went out and what failed."""

    template_name = "initiatives/email_list.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_see_email_log(request.user):
            raise PermissionDenied("Only governance reviewers may see the e-mail log.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = EmailRecord.objects.select_related(
            "initiative", "resent_by", "recipient_user"
        ).order_by("-created_at", "-pk")
        status = self.request.GET.get("status")
        if status in EmailStatus.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        return super().get_context_data(
            statuses=EmailStatus.choices,
            status=status,
            status_query=urlencode({"status": status}) if status else "",
            **kwargs,
        )


class EmailSendAgainView(View):
    """The "Send again" button on a failed e-mail in the log (governance only)."""

    def post(self, request, pk):
        # Refused before the lookup: nobody else learns which e-mails exist.
        if not permissions.can_see_email_log(request.user):
            raise PermissionDenied("Only governance reviewers may send an e-mail again.")
        email = get_object_or_404(EmailRecord, pk=pk)
        try:
            services.email_send_again(email=email, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The e-mail to {email.recipient} will be sent again.")
        # Back to the list as it was filtered (only a path of ours, never another host).
        status = request.POST.get("status", "")
        query = f"?{urlencode({'status': status})}" if status in EmailStatus.values else ""
        return HttpResponseRedirect(reverse("email-list") + query)
