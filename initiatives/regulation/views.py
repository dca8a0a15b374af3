"""The classification pages: the questionnaire with the result and its history, and one
version with the governance reviewer's decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views import View

from initiatives.core import permissions
from initiatives.core.choices import ClassificationStatus
from initiatives.core.forms import add_service_error
from initiatives.portfolio import selectors as portfolio_selectors
from initiatives.regulation import selectors, services
from initiatives.regulation.forms import ClassificationForm, ClassificationReviewForm
from initiatives.regulation.models import Classification


def _changes(classification: Classification | None, questions) -> dict | None:
    """What changed in `classification` against the confirmed version before it."""
    if classification is None:
        return None
    previous = selectors.confirmed_before(classification)
    if previous is None:
        return None
    return {"previous": previous, **selectors.changes(previous, classification, questions)}


class ClassificationView(View):
    """The current classification (the latest confirmed), the one in progress, the
    questionnaire for the team, and every version."""

    template_name = "initiatives/classification.html"

    def dispatch(self, request, slug):
        self.initiative = portfolio_selectors.initiative_by_slug(slug)
        self.questions = selectors.questions()
        self.versions = list(selectors.classifications().filter(initiative=self.initiative))
        return super().dispatch(request, slug)

    def render(self, form):
        versions = self.versions
        current = next((c for c in versions if c.status == ClassificationStatus.CONFIRMED), None)
        latest = versions[0] if versions else None
        waiting = latest if latest and latest.status == ClassificationStatus.SUBMITTED else None
        decided = latest if latest and latest.status != ClassificationStatus.DRAFT else None
        shown = waiting or decided
        return render(
            self.request,
            self.template_name,
            {
                "object": self.initiative,
                "current": current,
                "latest": latest,
                "waiting": waiting,
                "shown": shown,
                "shown_rows": selectors.result_rows(shown) if shown else [],
                "changes": _changes(shown, self.questions),
                "versions": versions,
                "form": form,
                # A confirmed classification is answered again only when something changed.
                "collapsed": form is not None
                and not form.is_bound
                and latest is not None
                and latest.status == ClassificationStatus.CONFIRMED,
            },
        )

    def _may_answer(self) -> bool:
        return permissions.can_classify(self.request.user, self.initiative)

    def _form(self, data=None):
        if not self._may_answer():
            return None
        latest = self.versions[0] if self.versions else None
        if latest is not None and latest.status == ClassificationStatus.SUBMITTED:
            return None  # nothing to answer until the reviewer decides
        answers = latest.answers if latest else None
        return ClassificationForm(data, questions=self.questions, answers=answers)

    def get(self, request, slug):
        return self.render(self._form())

    def post(self, request, slug):
        if not self._may_answer():
            raise PermissionDenied("Only the initiative's team may classify it.")
        form = self._form(request.POST)
        if form is None:
            messages.info(request, "A version awaits confirmation; it was not changed.")
            return HttpResponseRedirect(request.path)
        draft = request.POST.get("action") == "draft"
        if form.is_valid():
            try:
                classification = services.classification_submit(
                    initiative=self.initiative,
                    actor=request.user,
                    answers=form.answers(),
                    draft=draft,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Draft version {classification.version} saved."
                    if draft
                    else f"Version {classification.version} was submitted; a governance "
                    "reviewer who is not on the team confirms it.",
                )
                return HttpResponseRedirect(request.path)
        return self.render(form)


class ClassificationVersionView(View):
    """One version: its answers, its result with the reasons, what changed, and (for a
    governance reviewer off the team) the decision."""

    def get(self, request, slug, version):
        return self._render(request, slug, version, ClassificationReviewForm())

    def _load(self, slug, version) -> Classification:
        initiative = portfolio_selectors.initiative_by_slug(slug)
        return get_object_or_404(
            selectors.classifications().filter(initiative=initiative), version=version
        )

    def _render(self, request, slug, version, form, classification=None):
        classification = classification or self._load(slug, version)
        questions = selectors.questions(active_only=False)
        conflict = ""
        if classification.status == ClassificationStatus.SUBMITTED and permissions.is_governance(
            request.user
        ):
            conflict = permissions.classification_conflict(request.user, classification)
        can_decide = permissions.can_confirm_classification(request.user, classification)
        by_key = {q.key: q for q in questions}
        answered = []
        for question in questions:
            keys = classification.answers.get(question.key)
            if keys:
                labels = {o.key: o.label for o in question.options.all()}
                answered.append((question, [labels.get(k, k) for k in keys]))
        answered += [
            (None, [f"{key}: {', '.join(keys)}"])
            for key, keys in classification.answers.items()
            if key not in by_key
        ]
        return render(
            request,
            "initiatives/classification_version.html",
            {
                "object": classification.initiative,
                "classification": classification,
                "crumb": f"Version {classification.version}",
                "rows": selectors.result_rows(classification),
                "answered": answered,
                "changes": _changes(classification, questions),
                "review_form": form,
                "can_decide": can_decide,
                "review_conflict": conflict,
                "deciders": permissions.classification_deciders(classification)
                if can_decide or conflict
                else [],
            },
        )

    def post(self, request, slug, version):
        classification = self._load(slug, version)
        if classification.status != ClassificationStatus.SUBMITTED and permissions.is_governance(
            request.user
        ):
            messages.info(
                request,
                f"Version {version} was already decided: {classification.get_status_display()}.",
            )
            return HttpResponseRedirect(classification.get_absolute_url())
        if not permissions.can_confirm_classification(request.user, classification):
            raise PermissionDenied(
                permissions.confirm_classification_refusal(request.user, classification)[1]
            )
        form = ClassificationReviewForm(request.POST)
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            try:
                if decision == "confirm":
                    services.classification_confirm(
                        classification=classification, actor=request.user, comment=comment
                    )
                else:
                    services.classification_return(
                        classification=classification, actor=request.user, comment=comment
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "The classification is confirmed."
                    if decision == "confirm"
                    else "The classification was returned to the team.",
                )
                return HttpResponseRedirect(classification.get_absolute_url())
        return self._render(request, slug, version, form, classification)
