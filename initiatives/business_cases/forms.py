import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.services import INPUT_FIELDS
from initiatives.core.currencies import allowed_currency_choices, check_allowed_currency
from initiatives.core.forms import IsoDateInput

# Spaces people (and spreadsheets) put between groups of three digits: the ordinary space, the
# no-break space, the thin space and the narrow no-break space.
GROUP_SPACES = " \u00a0\u2009\u202f"
# 120000 · 120,000 · 120 000 · 1,234.50 · 0.5 · .5 — groups of three, one kind of separator,
# a decimal point. Never an exponent, a sign or Indian grouping (12,00,000): a figure someone
# could misread is refused rather than guessed.
FIGURE = re.compile(
    rf"(?:\d+|\d{{1,3}}(?P<sep>[,{GROUP_SPACES}])\d{{3}}(?:(?P=sep)\d{{3}})*)?(?:\.\d+)?"
)

# Benefits a case may leave empty (none); the investment it must state, 0 included: without
# its costs a case has no payback or return.
BENEFIT_FIGURES = ("revenue_protected", "costs_reduced", "capacity_hours", "hourly_rate")
BENEFIT_FIGURES += ("risk_mitigated",)
INVESTMENT_FIGURES = (
    "build_cost",
    "infrastructure_cost",
    "team_fte",
    "cost_per_fte",
    "operational_overhead",
)


class FigureBoundField(forms.BoundField):
    """A figure's input is also described by its unit beside it ("EUR", "hours")."""

    @property
    def aria_describedby(self):
        ids = super().aria_describedby
        return " ".join(filter(None, [f"{self.auto_id}_unit" if self.auto_id else "", ids]))


class FigureField(forms.DecimalField):
    """A business-case figure as people type it: "120000", "120,000" and "120 000" (any space
    spreadsheets put between digit groups) are all 120000; "1e6", "12,00,0", "-5" and "abc"
    are refused, each with a message saying what to type. Shown back grouped ("120,000"),
    which it accepts again.

    The same reading is in static/js/case-figures.js (`readFigure`), for the live totals.
    """

    widget = forms.TextInput
    bound_field_class = FigureBoundField
    default_error_messages = {
        "invalid": "Type a number such as 120000, 120,000 or 120 000.",
        "exponent": "Type the figure in full (e.g. 1000000), not as 1e6.",
        "negative": "Type 0 or more: a figure here cannot be negative.",
        "grouping": "Group digits in threes (120,000 or 120 000), or type them without separators.",
        "max_decimal_places": (
            "At most two decimals (cents). To group thousands, use a comma or a space: 120,000."
        ),
    }

    def __init__(self, *, unit: str = "currency", **kwargs):
        # The figure's unit, shown beside it: "currency" (the case's), "hours" or "FTE".
        self.unit = unit
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text in ("", "."):
            return None
        if FIGURE.fullmatch(text) is None:
            code = (
                "negative"
                if text.startswith("-")
                else "exponent"
                if re.fullmatch(r"[\d.,]+[eE][+-]?\d+", text)
                else "grouping"
                if re.fullmatch(rf"[\d,{GROUP_SPACES}]+(?:\.\d+)?", text)
                else "invalid"
            )
            raise ValidationError(self.error_messages[code], code=code)
        return Decimal(re.sub(rf"[,{GROUP_SPACES}]", "", text))

    def prepare_value(self, value):
        # Stored figures come back grouped, whole ones without cents: 120,000 and 1,234.50,
        # not 120000.00. What a person typed (a string) comes back as typed.
        if isinstance(value, Decimal):
            if value == 0 and not self.required:
                return ""  # an optional figure left empty was stored as 0: show it empty
            whole = value == value.to_integral_value()
            return f"{value.quantize(Decimal(1)):,}" if whole else f"{value:,}"
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text box: no spinner, no browser-side number rules
        return {**attrs, "inputmode": "decimal", "autocomplete": "off", "data-figure": ""}


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

    UNITS = {"capacity_hours": "hours", "team_fte": "FTE"}

    # Offered as a list; checked by core.currencies (the same rule as the API), not as a choice.
    currency = forms.CharField(
        widget=forms.Select, help_text="Every figure in this case is in this currency."
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = BusinessCase
        fields = list(INPUT_FIELDS)
        field_classes = dict.fromkeys((*BENEFIT_FIGURES, *INVESTMENT_FIGURES), FigureField)
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

    def __init__(self, *args, also_currency: str | None = None, **kwargs):
        """`also_currency`: the currency the initiative's case is already in, offered (and
        accepted) even when it is no longer one of the organisation's."""
        super().__init__(*args, **kwargs)
        self.also_currency = also_currency
        self.fields["currency"].widget.choices = allowed_currency_choices(also_currency)
        for name in INPUT_FIELDS:
            field = self.fields[name]
            if isinstance(field, FigureField):
                field.unit = self.UNITS.get(name, "currency")
                field.required = name in INVESTMENT_FIGURES
                # Empty until typed: a "0" the person did not type reads as a stated figure.
                field.initial = None

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"]
        check_allowed_currency(currency, self.also_currency)
        return currency

    def clean(self):
        cleaned = super().clean()
        hours, rate = cleaned.get("capacity_hours"), cleaned.get("hourly_rate")
        if hours and rate is None and "hourly_rate" not in self.errors:
            self.add_error("hourly_rate", "Give the hourly rate, to value the hours freed.")
        return cleaned

    def fieldsets(self):
        """(title, intro, [(bound field, unit)]): unit is "currency", "hours", "FTE" or ""."""
        for title, intro, names in self.FIELDSETS:
            rows = []
            for name in names:
                field = self[name]
                rows.append((field, getattr(field.field, "unit", "")))
            yield title, intro, rows

    def inputs(self) -> dict:
        """The cleaned inputs for the services; an optional figure left empty is 0 (none)."""
        data = {name: self.cleaned_data[name] for name in INPUT_FIELDS}
        for name in BENEFIT_FIGURES:
            if data[name] is None:
                data[name] = Decimal("0")
        return data


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
