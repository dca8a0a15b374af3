from django import forms
from django.core.exceptions import ValidationError

# One way to read a typed figure ("120,000", "120 000"), shared with the business case.
from initiatives.business_cases.forms import FigureField
from initiatives.value.figures import Quarter
from initiatives.value.models import BENEFIT_FIELDS, NOTE_FIELDS, RUN_COST_FIELDS, ValueReport


class ValueReportForm(forms.ModelForm):
    """One quarter's report, grouped as the business case is: benefits, then run cost."""

    FIELDSETS = (
        (
            "Benefits delivered in the quarter",
            "What the system brought in these three months (not a year).",
            (
                "revenue_protected",
                "revenue_protected_note",
                "costs_reduced",
                "costs_reduced_note",
                "capacity_hours",
                "hourly_rate",
                "capacity_note",
                "risk_mitigated",
                "risk_mitigated_note",
            ),
        ),
        (
            "What running it cost in the quarter",
            "",
            ("infrastructure_cost", "team_cost", "overhead_cost", "run_cost_note"),
        ),
        ("Evidence", "", ("evidence_url",)),
    )
    UNITS = {"capacity_hours": "hours"}

    quarter = forms.CharField(
        widget=forms.Select,
        help_text="A quarter that has ended, in which the system was in production.",
    )
    currency = forms.CharField(
        max_length=3, help_text="The approved business case's currency: reports are in it."
    )

    class Meta:
        model = ValueReport
        fields = ["currency", *BENEFIT_FIELDS, *RUN_COST_FIELDS, *NOTE_FIELDS, "evidence_url"]
        field_classes = dict.fromkeys((*BENEFIT_FIELDS, *RUN_COST_FIELDS), FigureField)
        labels = {
            "revenue_protected_note": "Note",
            "costs_reduced_note": "Note",
            "capacity_note": "Note",
            "risk_mitigated_note": "Note",
            "run_cost_note": "Note",
            "capacity_hours": "Capacity unlocked (hours in the quarter)",
            "hourly_rate": "Loaded hourly rate",
            "team_cost": "Team",
            "infrastructure_cost": "Infrastructure",
            "overhead_cost": "Overhead",
            "evidence_url": "Evidence link",
        }

    def __init__(self, *args, quarters: list[Quarter] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].widget.choices = [(q.label, q.label) for q in reversed(quarters)]
        for name in (*BENEFIT_FIELDS, *RUN_COST_FIELDS):
            field = self.fields[name]
            field.unit = self.UNITS.get(name, "currency")
            field.required = False
            field.initial = None

    def clean_quarter(self) -> Quarter:
        try:
            return Quarter.parse(self.cleaned_data["quarter"])
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        hours, rate = cleaned.get("capacity_hours"), cleaned.get("hourly_rate")
        if hours and not rate and "hourly_rate" not in self.errors:
            self.add_error("hourly_rate", "Give the hourly rate, to value the hours freed.")
        return cleaned

    def _post_clean(self):
        # The service validates the report (with the case and the quarter); the model's own
        # checks run there, once.
        pass

    def fieldsets(self):
        for title, intro, names in self.FIELDSETS:
            yield title, intro, [(self[n], getattr(self[n].field, "unit", "")) for n in names]

    def inputs(self) -> dict:
        """The cleaned inputs for the services; a figure left empty is 0."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for name in (*BENEFIT_FIELDS, *RUN_COST_FIELDS):
            if data[name] is None:
                data[name] = None  # the service stores the field's default, 0
        return data


class ValueImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="One row per quarter; the columns are listed above. Rows of quarters already "
        "reported correct them.",
    )
