from django import forms

from initiatives.core.choices import CheckMode, MilestoneStatus


class MilestoneForm(forms.Form):
    status = forms.ChoiceField(
        choices=[c for c in MilestoneStatus.choices if c[0] != MilestoneStatus.WAIVED]
    )
    evidence_url = forms.CharField(
        required=False,
        max_length=500,
        label="Evidence link",
        help_text="An http(s) link to the proof: a dashboard, a CI run, a document.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    evidence_note = forms.CharField(
        required=False,
        max_length=4000,
        label="Evidence note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was checked, by whom, when. Done needs a link or a note.",
    )
    check_mode = forms.ChoiceField(
        choices=[("", "—"), *CheckMode.choices],
        required=False,
        label="How it is checked",
        help_text="For done: by hand, or automatically (the ML Test Score counts the difference).",
    )


class WaiverForm(forms.Form):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why this initiative may go without this milestone.",
    )


class WaiverRequestForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why this initiative should go without this milestone; governance decides.",
    )


class WaiverDeclineForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why the milestone still applies. The team sees this on the initiative.",
    )


class WaiverDecisionForm(forms.Form):
    """Governance's decision on a milestone: waive it, or decline the team's request. A
    reason is required either way (the services say so, on the comment)."""

    decision = forms.ChoiceField(widget=forms.RadioSelect, label="Your decision")
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text="Required: why this initiative may go without the milestone (waive), or why "
        "it still applies (decline). The team sees this on the initiative.",
    )

    def __init__(self, *args, request_pending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Declining answers a request: without one, waiving is the only decision.
        choices = [("waive", "Waive the milestone")]
        if request_pending:
            choices.append(("decline", "Decline the request"))
        self.fields["decision"].choices = choices
