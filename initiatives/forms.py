from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from .choices import CheckMode, MilestoneStatus, Stage
from .currencies import currency_choices
from .models import BusinessCase, Initiative, Team
from .services import INPUT_FIELDS

User = get_user_model()


class IsoDateInput(forms.DateInput):
    """<input type="date"> only takes YYYY-MM-DD; the locale's 31/12/2027 would show empty
    and be sent back empty, erasing the date on the next save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def active_people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return PersonChoiceField.label_from_instance(self, obj)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class InitiativeForm(forms.ModelForm):
    sponsor = PersonChoiceField(queryset=active_people(), required=False)
    team_members = PeopleChoiceField(
        queryset=active_people(),
        required=False,
        help_text="Contributors who may edit the initiative. You are added when you create it.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Initiative
        fields = [
            "name",
            "slug",
            "summary",
            "business_unit",
            "sponsor",
            "risk_tier",
            "target_production_date",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "target_production_date": IsoDateInput(),
        }
        help_texts = {
            "slug": "Short name used in addresses, e.g. invoice-matching. Cannot change later.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The slug is the initiative's address; bookmarks and API clients rely on it.
            del self.fields["slug"]
            self.fields["team_members"].initial = list(
                self.instance.team_members.values_list("pk", flat=True)
            )


class TransitionForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, label="Move to")

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stages is not None:
            self.fields["to_stage"].choices = [(s, Stage(s).label) for s in stages]

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when moving backwards or cancelling.",
    )


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


class HandoverAcceptForm(forms.Form):
    confirms_skills = forms.BooleanField(
        required=False, label="My team has the skills to run this system in production."
    )
    confirms_mandate = forms.BooleanField(
        required=False, label="My team has the mandate to run it."
    )
    confirms_budget = forms.BooleanField(required=False, label="My team has the budget to run it.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class HandoverDeclineForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why you decline")


class PromotionRequestForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PromotionReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with the columns listed below (UTF-8).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {settings.PORTAL_IMPORT_MAX_BYTES // 1024} KiB."
            )
        return upload


class BusinessCaseForm(forms.ModelForm):
    """The business case, grouped the way a person thinks about it."""

    FIELDSETS = (
        (
            "Benefits (a year)",
            "What the system brings each year once it runs in production.",
            (
                "revenue_protected",
                "revenue_protected_rationale",
                "costs_reduced",
                "costs_reduced_rationale",
                "capacity_hours",
                "hourly_rate",
                "capacity_rationale",
                "risk_mitigated",
                "risk_mitigated_rationale",
            ),
        ),
        (
            "Investment",
            "What it costs: once to build, then each year to run.",
            (
                "build_cost",
                "infrastructure_cost",
                "team_fte",
                "cost_per_fte",
                "operational_overhead",
            ),
        ),
        ("Timeline", "", ("target_pilot_date", "target_production_date")),
    )

    currency = forms.ChoiceField(
        choices=currency_choices,
        help_text="Every figure in this case is in this currency.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = BusinessCase
        fields = list(INPUT_FIELDS)
        widgets = {
            "target_pilot_date": IsoDateInput(),
            "target_production_date": IsoDateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in (
                    "revenue_protected_rationale",
                    "costs_reduced_rationale",
                    "capacity_rationale",
                    "risk_mitigated_rationale",
                )
            },
        }
        labels = {
            "revenue_protected_rationale": "Why",
            "costs_reduced_rationale": "Why",
            "capacity_rationale": "Why",
            "risk_mitigated_rationale": "Why",
            "capacity_hours": "Capacity unlocked (hours a year)",
            "hourly_rate": "Loaded hourly rate",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in INPUT_FIELDS:
            field = self.fields[name]
            if isinstance(field, forms.DecimalField):
                # Type a plain number; the browser's spinner is no help with money.
                field.widget = forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off"}
                )
                field.localize = False

    def fieldsets(self):
        for title, intro, names in self.FIELDSETS:
            yield title, intro, [self[name] for name in names]

    def inputs(self) -> dict:
        return {name: self.cleaned_data[name] for name in INPUT_FIELDS}


class BusinessCaseReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("request_changes", "Ask for changes"),
            ("reject", "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when asking for changes or rejecting.",
    )


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


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What uses it, e.g. “monitoring job” or “my laptop”, so you know what to revoke.",
    )
