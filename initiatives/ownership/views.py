from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.views import View

from initiatives.core import permissions
from initiatives.core.choices import ConfirmationChannel, PromotionStatus
from initiatives.core.forms import add_service_error
from initiatives.core.people import display_name
from initiatives.core.views import ServiceFormView
from initiatives.ownership import links, services
from initiatives.ownership.forms import (
    HandoverAcceptForm,
    HandoverDeclineForm,
    HandoverForm,
    PromotionRequestForm,
    PromotionReviewForm,
)
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio import selectors
from initiatives.portfolio.views import InitiativeMixin


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
        initiative.refresh_from_db(fields=["owner_confirmed_at"])
        due = date_format(timezone.localtime(initiative.next_confirmation_due), "j M Y")
        messages.success(request, f"Ownership confirmed; next confirmation due {due}.")
        return HttpResponseRedirect(initiative.get_absolute_url())


class PromotionRequestView(InitiativeMixin, ServiceFormView):
    form_class = PromotionRequestForm
    template_name = "initiatives/promotion_form.html"
    denied_message = "Only the initiative's team may request its promotion."

    def allowed(self, user, obj):
        return permissions.can_request_promotion(user, obj)

    def perform(self, form, obj):
        services.promotion_request_create(
            initiative=obj, actor=self.request.user, **form.cleaned_data
        )
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
            {
                "object": promotion,
                "conflict": reason if status == 403 else "",
                "deciders": (
                    permissions.promotion_deciders(promotion)
                    if status == 403 and promotion.status == PromotionStatus.PENDING
                    else []
                ),
            },
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
            payload = links.read_confirmation_token(token)
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
