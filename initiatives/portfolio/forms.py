from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from initiatives.core.choices import Stage
from initiatives.core.forms import (
    IsoDateInput,
    PeopleChoiceField,
    PeopleSelect,
    PersonChoiceField,
)
from initiatives.core.people import people_to_name
from initiatives.portfolio import selectors
from initiatives.portfolio.models import Initiative


class InitiativeForm(forms.ModelForm):
    """A new initiative, or an existing one's editable fields.

    On a new initiative the slug may be left to the portal: blank (or still the one
    `people-picker.js` proposed from the name, `slug_proposed`) means `free_slug(name)`. A
    target date in the past is refused unless it is the one already saved. A name close to
    an existing initiative's is a warning the person confirms with `confirm_similar`."""

    sponsor = PersonChoiceField(required=False)
    team_members = PeopleChoiceField(
        required=False,
        help_text="Contributors who may edit the initiative. You are added when you create it.",
        widget=PeopleSelect(attrs={"size": 8}),  # without the script: room to see the choice
    )
    # Set by the script while the slug is the one it proposed from the name: the portal then
    # makes it unique rather than refusing it as taken.
    slug_proposed = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm_similar = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Mine is a different initiative: save it anyway",
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
            "slug": "Short name used in addresses, e.g. invoice-matching; proposed from the "
            "name when left empty. Cannot change later.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar: list[Initiative] = []
        if self.instance.pk:
            # The slug is the initiative's address; bookmarks and API clients rely on it.
            del self.fields["slug"]
            del self.fields["slug_proposed"]
            members = list(self.instance.team_members.values_list("pk", flat=True))
            self.fields["team_members"].initial = members
            # People already named stay choosable after they leave: the form must not drop
            # them on the next save. Naming someone who has left anew is still refused.
            keeping = [*members, self.instance.sponsor_id]
            self.fields["team_members"].queryset = people_to_name(keeping=members)
            self.fields["sponsor"].queryset = people_to_name(keeping=keeping)
        else:
            self.fields["slug"].required = False
            self.fields["slug"].widget.attrs["data-slug-from"] = "id_name"

    def clean_target_production_date(self):
        target = self.cleaned_data["target_production_date"]
        saved = self.instance.target_production_date if self.instance.pk else None
        if target is not None and target < timezone.localdate() and target != saved:
            raise forms.ValidationError(
                "This date has passed; choose today or a later date.", code="past"
            )
        return target

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if "slug" in self.fields and name and "slug" not in self.errors:
            slug = cleaned.get("slug") or ""
            if not slug or cleaned.get("slug_proposed"):
                proposed = selectors.free_slug(slug or name)
                if not proposed:
                    self.add_error("slug", "Give a slug: the name has no letters to make one.")
                else:
                    cleaned["slug"] = proposed
        if name and (not self.instance.pk or name != self.instance.name):
            self.similar = selectors.similar_initiatives(name, exclude_pk=self.instance.pk)
        if self.similar and not cleaned.get("confirm_similar"):
            # Shown only now: a box to tick before anyone was warned would be noise.
            self.fields["confirm_similar"].widget = forms.CheckboxInput()
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((i.get_absolute_url(), i.name) for i in self.similar[:5]),
            )
            raise forms.ValidationError(
                format_html(
                    "Close to an existing initiative: {}. If yours is a different one, tick "
                    "the box at the end of the form and save again.",
                    links,
                ),
                code="similar_name",
            )
        return cleaned


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
