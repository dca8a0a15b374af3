from django import forms

from initiatives.core.choices import Stage
from initiatives.core.forms import IsoDateInput, PeopleChoiceField, PersonChoiceField, active_people
from initiatives.portfolio.models import Initiative


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
