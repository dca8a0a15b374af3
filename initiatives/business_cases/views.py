"""Business-case pages: the case and its versions, the form, review, comparison."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from initiatives.business_cases import selectors, services
from initiatives.business_cases.forms import BusinessCaseForm, BusinessCaseReviewForm
from initiatives.business_cases.models import BusinessCase
from initiatives.core import permissions
from initiatives.core.choices import BusinessCaseStatus
from initiatives.core.forms import add_service_error
from initiatives.portfolio import selectors as portfolio_selectors
from initiatives.readiness import selectors as readiness_selectors


def _initiative(slug):
    return portfolio_selectors.initiative_by_slug(slug)


def _case(initiative, version) -> BusinessCase:
    return get_object_or_404(
        selectors.business_cases().filter(initiative=initiative), version=version
    )


class BusinessCaseListView(View):
    """The current (latest approved) case, the draft if any, and every version."""

    def get(self, request, slug):
        initiative = _initiative(slug)
        versions = list(selectors.business_cases().filter(initiative=initiative))
        current = next((c for c in versions if c.status == BusinessCaseStatus.APPROVED), None)
        draft = next((c for c in versions if c.status == BusinessCaseStatus.DRAFT), None)
        return render(
            request,
            "initiatives/business_case_list.html",
            {
                "object": initiative,
                "versions": versions,
                "current": current,
                "draft": draft,
                "can_write": permissions.can_edit_business_case(request.user, initiative),
            },
        )


class BusinessCaseFormView(View):
    """A new version (a copy of the latest) or a draft being continued."""

    template_name = "initiatives/business_case_form.html"

    def dispatch(self, request, slug, version=None):
        self.initiative = _initiative(slug)
        if not permissions.can_edit_business_case(request.user, self.initiative):
            raise PermissionDenied("Only the initiative's team may write its business case.")
        self.case = _case(self.initiative, version) if version is not None else None
        if self.case is not None and self.case.status != BusinessCaseStatus.DRAFT:
            messages.info(request, f"Version {version} was submitted; start a new version.")
            return HttpResponseRedirect(self.case.get_absolute_url())
        return super().dispatch(request, slug, version)

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {"object": self.initiative, "case": self.case, "form": form},
        )

    def get(self, request, slug, version=None):
        if self.case is None:
            draft = self.initiative.business_cases.filter(status=BusinessCaseStatus.DRAFT).first()
            if draft is not None:
                return HttpResponseRedirect(
                    reverse("business-case-edit", args=[slug, draft.version])
                )
            initial = services.latest_inputs(self.initiative)
            form = self.form(initial={**initial, "form_key": uuid.uuid4().hex})
        else:
            form = self.form(instance=self.case, initial={"revision": self.case.revision})
        return self.render(form)

    def form(self, *args, **kwargs) -> BusinessCaseForm:
        # The currency the case is already in stays offered, even if no longer the
        # organisation's (PORTAL_CURRENCIES).
        current = self.case.currency if self.case else None
        current = current or services.latest_inputs(self.initiative).get("currency")
        return BusinessCaseForm(*args, also_currency=current, **kwargs)

    def post(self, request, slug, version=None):
        instance = BusinessCase(initiative=self.initiative) if self.case is None else None
        form = self.form(request.POST, instance=instance or BusinessCase(**_copy(self.case)))
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                if self.case is None:
                    case = services.business_case_create(
                        initiative=self.initiative,
                        actor=request.user,
                        data=form.inputs(),
                        form_key=form.cleaned_data["form_key"] or "",
                        submit=submit,
                    )
                else:
                    case = services.business_case_update(
                        case=self.case,
                        actor=request.user,
                        data=form.inputs(),
                        revision=form.cleaned_data["revision"] or 0,
                        submit=submit,
                    )
            except services.FormKeyReused as reused:
                form.add_error(None, _reused_message(reused))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Version {case.version} was submitted for review."
                    if submit
                    else f"Draft version {case.version} saved.",
                )
                target = (
                    case.get_absolute_url()
                    if submit
                    else reverse("business-case-edit", args=[slug, case.version])
                )
                return HttpResponseRedirect(target)
        return self.render(form)


def _reused_message(reused: services.FormKeyReused) -> str:
    """The page's words for a form posted again (its hidden form_key) with something else."""
    if not reused.fields:
        return (
            f"This form already saved draft version {reused.version}; it was not submitted. "
            f"Open the draft (version {reused.version}) to submit it."
        )
    return (
        f"This form already made version {reused.version}, with other figures. Your changes "
        f"were not saved: open version {reused.version} to change it, or start a new version."
    )


def _copy(case: BusinessCase) -> dict:
    """An unsaved twin of `case` for form validation, so the stored draft stays untouched."""
    return {f.attname: getattr(case, f.attname) for f in BusinessCase._meta.concrete_fields}


class BusinessCaseDetailView(View):
    def get(self, request, slug, version):
        initiative = _initiative(slug)
        case = _case(initiative, version)
        return self.render(request, initiative, case, BusinessCaseReviewForm())

    def render(self, request, initiative, case, review_form):
        previous = (
            initiative.business_cases.filter(version__lt=case.version)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        conflict = _review_conflict(request.user, case)
        can_review = permissions.can_review_business_case(request.user, case)
        can_write = permissions.can_edit_business_case(request.user, initiative)
        context = {
            "object": initiative,
            "case": case,
            "figures": case.figures,
            "previous": previous,
            "review_form": review_form,
            "can_review": can_review,
            # A reviewer who wrote this version reads it and is told who decides.
            "review_conflict": conflict,
            "deciders": permissions.case_deciders(case) if conflict or can_review else [],
            "can_write": can_write,
            "can_revise": can_write and case.status == BusinessCaseStatus.CHANGES_REQUESTED,
        }
        if can_review or conflict:
            # Beside the decision: what changed since the previous version, the readiness
            # toward the next stage, and who owns the system.
            context["readiness"] = readiness_selectors.readiness_of(initiative)
            if previous is not None:
                older = context["previous_case"] = _case(initiative, previous)
                context["changes"] = [
                    row for row in selectors.business_case_comparison(older, case) if row.changed
                ]
        return render(request, "initiatives/business_case_detail.html", context)

    def post(self, request, slug, version):
        """The review (governance only)."""
        initiative = _initiative(slug)
        case = _case(initiative, version)
        if case.status != BusinessCaseStatus.SUBMITTED and permissions.is_governance(request.user):
            # Most often the same review posted twice.
            messages.info(request, f"Version {version} was already reviewed: {case.status}.")
            return HttpResponseRedirect(case.get_absolute_url())
        if not permissions.can_review_business_case(request.user, case):
            raise PermissionDenied(
                _review_conflict(request.user, case)
                or "Only a governance reviewer may review a submitted case."
            )
        form = BusinessCaseReviewForm(request.POST)
        if form.is_valid():
            try:
                services.business_case_review(case=case, actor=request.user, **form.cleaned_data)
            except services.FormKeyReused as reused:
                form.add_error(None, _reused_message(reused))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Your review is recorded and the submitter told.")
                return HttpResponseRedirect(case.get_absolute_url())
        return self.render(request, initiative, case, form)


def _review_conflict(user, case: BusinessCase) -> str:
    if case.status != BusinessCaseStatus.SUBMITTED or not permissions.is_governance(user):
        return ""
    return permissions.case_conflict(user, case)


class BusinessCaseReviseView(View):
    """ "Revise" on a version returned for changes: open a new draft copied from it (or the
    draft that already exists)."""

    def post(self, request, slug, version):
        initiative = _initiative(slug)
        case = _case(initiative, version)
        if not permissions.can_edit_business_case(request.user, initiative):
            raise PermissionDenied("Only the initiative's team may revise its business case.")
        try:
            draft = services.business_case_revise(case=case, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(case.get_absolute_url())
        messages.success(
            request,
            f"Draft version {draft.version} holds the figures to revise; change them and submit.",
        )
        return HttpResponseRedirect(reverse("business-case-edit", args=[slug, draft.version]))


class BusinessCaseCompareView(View):
    """Which figures changed between two versions, and by how much."""

    def get(self, request, slug):
        initiative = _initiative(slug)
        try:
            a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
        except ValueError as error:
            raise Http404("Name two versions to compare: ?a=1&b=2") from error
        older, newer = _case(initiative, min(a, b)), _case(initiative, max(a, b))
        return render(
            request,
            "initiatives/business_case_compare.html",
            {
                "object": initiative,
                "older": older,
                "newer": newer,
                "rows": selectors.business_case_comparison(older, newer),
            },
        )
