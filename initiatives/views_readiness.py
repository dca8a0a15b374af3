"""Readiness pages: the checklist, and one milestone to update or waive."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from . import permissions, selectors, services
from .forms import MilestoneForm, WaiverForm, add_service_error
from .readiness import checklist


def _initiative(slug):
    return get_object_or_404(selectors.initiative_list(), slug=slug)


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

    def render(self, form, waiver_form):
        return render(
            self.request,
            "initiatives/milestone.html",
            {
                "object": self.initiative,
                "item": self.item,
                "form": form,
                "waiver_form": waiver_form,
                "can_update": self.can_update,
                "can_waive": self.can_waive,
            },
        )

    def get(self, request, slug, key):
        record = self.item.record
        initial = (
            {
                "status": record.status if record.status != "waived" else "in_progress",
                "evidence_url": record.evidence_url,
                "evidence_note": record.evidence_note,
                "check_mode": record.check_mode,
            }
            if record
            else {}
        )
        return self.render(MilestoneForm(initial=initial), WaiverForm())

    def post(self, request, slug, key):
        waiving = request.POST.get("action") == "waive"
        form = (WaiverForm if waiving else MilestoneForm)(request.POST)
        if waiving and not self.can_waive:
            raise PermissionDenied("Only a governance reviewer may waive a milestone.")
        if not waiving and not self.can_update:
            raise PermissionDenied("Only the initiative's team may update its readiness.")
        if form.is_valid():
            try:
                if waiving:
                    services.milestone_waive(
                        initiative=self.initiative, actor=request.user, key=key, **form.cleaned_data
                    )
                else:
                    services.milestone_update(
                        initiative=self.initiative, actor=request.user, key=key, **form.cleaned_data
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"“{self.item.milestone.title}” updated.")
                return HttpResponseRedirect(reverse("readiness", args=[slug]))
        if waiving:
            return self.render(MilestoneForm(), form)
        return self.render(form, WaiverForm())
