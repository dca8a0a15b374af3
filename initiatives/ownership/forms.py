from django import forms

from initiatives.core.forms import PersonChoiceField, active_people
from initiatives.portfolio.models import Team


class HandoverForm(forms.Form):
    to_owner = PersonChoiceField(
        queryset=active_people(),
        label="New production owner",
        help_text="The one person accountable for the system in production. "
        "They must accept before the ownership counts.",
    )
    owning_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    backup_owner = PersonChoiceField(queryset=active_people(), required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HandoverAnswerForm(forms.Form):
    """The named owner's answer: one form, so every field has its own id. Accepting needs the
    three confirmations; declining needs a reason (the service says so, on the field)."""

    # Nothing preselected, the approving choice first, as on every decision page.
    decision = forms.ChoiceField(
        choices=[("accept", "Accept ownership"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Your answer",
    )
    confirms_skills = forms.BooleanField(
        required=False, label="My team has the skills to run this system in production."
    )
    confirms_mandate = forms.BooleanField(
        required=False, label="My team has the mandate to run it."
    )
    confirms_budget = forms.BooleanField(required=False, label="My team has the budget to run it.")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Comment",
        help_text="Required when declining: say why, so the team can name someone else.",
    )


class PromotionRequestForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PromotionReviewForm(forms.Form):
    # Nothing preselected: a reviewer chooses, as on the business-case review.
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when rejecting: the team needs to know what to fix.",
    )
