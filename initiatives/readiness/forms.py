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
