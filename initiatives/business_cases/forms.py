from django import forms

from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.services import INPUT_FIELDS
from initiatives.core.currencies import currency_choices
from initiatives.core.forms import IsoDateInput


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
