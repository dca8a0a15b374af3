from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
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
from initiatives.ownership import selectors as ownership_selectors
from initiatives.ownership.forms import (
    HandoverAnswerForm,
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
            OwnershipHandover.objects.select_related(
                "initiative", "requested_by", "to_owner", "from_owner"
            ),
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

    def render(self, form):
        handover = self.handover
        return render(
            self.request,
            self.template_name,
            {
                "handover": handover,
                "object": handover.initiative,
                "evidence": ownership_selectors.handover_evidence(handover),
                "form": form,
                "deciders": [handover.to_owner],
            },
        )

    def get(self, request, pk):
        return self.render(HandoverAnswerForm())

    def post(self, request, pk):
        data = request.POST.copy()
        if not data.get("decision") and data.get("action") in ("accept", "decline"):
            # A page opened before the answer became one form posts its button's `action`.
            data["decision"] = data["action"]
        form = HandoverAnswerForm(data)
        if form.is_valid():
            answer = form.cleaned_data
            try:
                if answer["decision"] == "accept":
                    services.handover_accept(
                        handover=self.handover,
                        actor=request.user,
                        confirms_skills=answer["confirms_skills"],
                        confirms_mandate=answer["confirms_mandate"],
                        confirms_budget=answer["confirms_budget"],
                        note=answer["note"],
                    )
                    messages.success(request, "You now own this system in production.")
                else:
                    services.handover_decline(
                        handover=self.handover, actor=request.user, note=answer["note"]
                    )
                    messages.info(request, "You declined the handover.")
                return HttpResponseRedirect(self.handover.initiative.get_absolute_url())
            except ValidationError as error:
                add_service_error(form, error)
        return self.render(form)


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
    """The promotion to production: its evidence, then the decision (a reviewer free to
    decide) or what became of it. After approval it says who moves the stage, and what
    still blocks the move."""

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
        # decided), reads the request, its evidence and what became of it: never a 403.
        if request.method == "POST":
            if status == 403:
                raise PermissionDenied(reason)
            messages.error(request, reason)
        deciders = (
            permissions.promotion_deciders(promotion)
            if status == 403 and promotion.status == PromotionStatus.PENDING
            else []
        )
        return render(
            request,
            self.template_name,
            {
                **self.evidence_context(promotion),
                "form": None,
                "conflict": reason if status == 403 else "",
                "deciders": deciders,
            },
            status=409 if request.method == "POST" else 200,
        )

    def evidence_context(self, promotion: PromotionRequest) -> dict:
        evidence = ownership_selectors.promotion_evidence(promotion)
        return {"promotion": promotion, "initiative": evidence.initiative, "evidence": evidence}

    def context(self, obj, form):
        return {
            **self.evidence_context(obj),
            "form": form,
            "deciders": permissions.promotion_deciders(obj),
        }

    def success_url(self, obj, result):
        # The decided page says what happens next.
        return reverse("promotion-review", kwargs={"pk": obj.pk})

    def perform(self, form, obj):
        promotion = services.promotion_review(
            promotion=obj,
            actor=self.request.user,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
        if promotion.status != PromotionStatus.APPROVED:
            messages.success(self.request, "The promotion is rejected; the team is told why.")
            return promotion
        initiative = obj.initiative
        movers = ownership_selectors.stage_movers(initiative)
        blockers = ownership_selectors.production_blockers(initiative)
        who = ", ".join(display_name(p) for p in movers)
        next_step = (
            f"{who} may now move {initiative.name} to production"
            if movers
            else f"Nobody may move {initiative.name} yet: name a production owner"
        )
        still = (
            f"; still blocking it: {len(blockers)} condition{pluralize(len(blockers))}, "
            "listed below."
            if blockers
            else "."
        )
        messages.success(self.request, f"Promotion approved. {next_step}{still}")
        return promotion


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
