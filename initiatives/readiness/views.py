"""Readiness pages: the checklist, and one milestone to update or waive."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from initiatives.core import permissions
from initiatives.core.forms import add_service_error
from initiatives.evidence.selectors import milestone_framework_items
from initiatives.portfolio import selectors
from initiatives.readiness import services
from initiatives.readiness.forms import MilestoneForm, WaiverDecisionForm, WaiverRequestForm
from initiatives.readiness.scoring import checklist


def _initiative(slug):
    return selectors.initiative_by_slug(slug)


class ReadinessView(View):
    def get(self, request, slug):
        initiative = _initiative(slug)
        return render(
            request,
            "initiatives/readiness.html",
            {
                "object": initiative,
                "readiness": checklist(initiative),
                "can_update": permissions.can_update_milestone(request.user, initiative),
                "can_waive": permissions.can_waive_milestone(request.user),
            },
        )


class MilestoneView(View):
    """One milestone: the team updates it, governance waives it."""

    def dispatch(self, request, slug, key):
        self.initiative = _initiative(slug)
        readiness = checklist(self.initiative)
        self.item = next(
            (i for i in (readiness.items if readiness else []) if i.milestone.key == key), None
        )
        if self.item is None:
            raise Http404("No such milestone on this initiative's checklist.")
        self.can_waive = permissions.can_waive_milestone(request.user)
        # Granting or declining: governance, but never the one who asked nor the team.
        self.can_decide = permissions.can_decide_waiver(
            request.user, self.initiative, self.item.record
        )
        self.decide_conflict = (
            permissions.waiver_conflict(request.user, self.initiative, self.item.record)
            if self.can_waive
            else ""
        )
        waived = self.item.status == "waived"
        # The team updates; once waived, only governance may change it (lifting the waiver).
        self.can_update = (
            self.can_waive
            if waived
            else permissions.can_update_milestone(request.user, self.initiative)
        )
        if request.method == "POST" and not (self.can_update or self.can_waive):
            raise PermissionDenied("Only the initiative's team may update its readiness.")
        return super().dispatch(request, slug, key)

    # action -> (form, service, who may). The team updates and asks for waivers;
    # governance decides (`decide`: waive, or decline a request).
    ACTIONS = {
        "update": (MilestoneForm, services.milestone_update, "can_update"),
        "request_waiver": (WaiverRequestForm, services.milestone_waiver_request, "can_request"),
    }
    # Pages opened before the decision became one form post these: action -> (decision, the
    # field their reason came in).
    OLD_DECISIONS = {"waive": ("waive", "justification"), "decline_waiver": ("decline", "comment")}

    @property
    def can_request(self) -> bool:
        record = self.item.record
        return (
            permissions.can_update_milestone(self.request.user, self.initiative)
            and self.item.status not in ("waived", "done")
            and not (record and record.waiver_pending)
        )

    def render(self, forms: dict):
        record = self.item.record
        return render(
            self.request,
            "initiatives/milestone.html",
            {
                "object": self.initiative,
                "item": self.item,
                "form": forms.get("update") or MilestoneForm(initial=self.initial()),
                "request_form": forms.get("request_waiver") or WaiverRequestForm(),
                "decision_form": forms.get("decide")
                or WaiverDecisionForm(request_pending=bool(record and record.waiver_pending)),
                "waiver_requested": bool(record and record.waiver_pending),
                "can_update": self.can_update,
                "can_waive": self.can_waive,
                "can_decide": self.can_decide,
                "decide_conflict": self.decide_conflict,
                "deciders": (
                    permissions.waiver_deciders(self.initiative, record)
                    if self.decide_conflict or self.can_decide
                    else []
                ),
                "can_request": self.can_request,
                "framework_items": milestone_framework_items(self.item.milestone),
            },
        )

    def initial(self) -> dict:
        record = self.item.record
        if not record:
            return {}
        return {
            "status": record.status if record.status != "waived" else "in_progress",
            "evidence_url": record.evidence_url,
            "evidence_note": record.evidence_note,
            "check_mode": record.check_mode,
        }

    def get(self, request, slug, key):
        return self.render({})

    def post(self, request, slug, key):
        action = request.POST.get("action", "update")
        if action == "decide" or action in self.OLD_DECISIONS:
            return self.decide(request, slug, key, action)
        if action not in self.ACTIONS:
            action = "update"
        form_class, service, rule = self.ACTIONS[action]
        if not getattr(self, rule):
            raise PermissionDenied("You may not do this to this milestone.")
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(
                    initiative=self.initiative, actor=request.user, key=key, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                done = {
                    "update": "updated",
                    "request_waiver": "sent to governance as a waiver request",
                }[action]
                messages.success(request, f"“{self.item.milestone.title}” {done}.")
                return HttpResponseRedirect(reverse("readiness", args=[slug]))
        return self.render({action: form})

    def decide(self, request, slug, key, action):
        """Governance's decision: waive the milestone, or decline the team's request."""
        if not self.can_decide:
            raise PermissionDenied(self.decide_conflict or "You may not do this to this milestone.")
        data = request.POST.copy()
        if action in self.OLD_DECISIONS:
            decision, reason_field = self.OLD_DECISIONS[action]
            data["decision"], data["comment"] = decision, data.get(reason_field, "")
        # Declining stays a valid answer on a post: if another reviewer answered the request
        # meanwhile, the service says so instead of "not one of the choices".
        form = WaiverDecisionForm(data, request_pending=True)
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            try:
                if decision == "waive":
                    services.milestone_waive(
                        initiative=self.initiative,
                        actor=request.user,
                        key=key,
                        justification=comment,
                    )
                else:
                    services.milestone_waiver_decline(
                        initiative=self.initiative, actor=request.user, key=key, comment=comment
                    )
            except ValidationError as error:
                add_service_error(form, _on_comment(error))
                record = self.item.record
                if decision == "decline" and not (record and record.waiver_pending):
                    # The decline choice is gone from the page (the request is answered), so
                    # the service's reason is shown here, not dropped with the choice.
                    messages.error(request, " ".join(error.messages))
            else:
                done = "waived" if decision == "waive" else "kept: the waiver request was declined"
                messages.success(request, f"“{self.item.milestone.title}” {done}.")
                return HttpResponseRedirect(reverse("readiness", args=[slug]))
        return self.render({"decide": form})


def _on_comment(error: ValidationError) -> ValidationError:
    """The waiver service names the reason `justification`; the decision form calls it the
    comment."""
    if hasattr(error, "error_dict") and "justification" in error.error_dict:
        errors = dict(error.error_dict)
        errors["comment"] = errors.pop("justification")
        return ValidationError(errors)
    return error
