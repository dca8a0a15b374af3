from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives.core.people import people_to_name, person_label

User = get_user_model()


class IsoDateInput(forms.DateInput):
    """<input type="date"> only takes YYYY-MM-DD; the locale's 31/12/2027 would show empty
    and be sent back empty, erasing the date on the next save."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def active_people():
    """Who a form may offer: see `core.people.people_to_name` (the one rule)."""
    return people_to_name()


PERSON_REFUSED = (
    "Choose a person from the list: service accounts (machine clients) and people who have "
    "left cannot be named."
)


class PersonSelect(forms.Select):
    """A plain <select> that `static/js/people-picker.js` turns into a type-to-search box
    asking `/people/search/`; without the script the select works as it is."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"data-people-picker": "", **(attrs or {})}, choices=choices)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-search-url"] = reverse("people-search")
        return context


class PeopleSelect(PersonSelect, forms.SelectMultiple):
    """The many-people version: chosen people show as removable chips beside the search."""

    allow_multiple_selected = True


# A list filter's select offers everyone up to this many people (one query of at most this
# many rows), else only the person chosen: the picker finds the others as one types.
PERSON_FILTER_OPTIONS = 200


class PersonFilterSelect(PersonSelect):
    """A filter by person on a list page (`?owner=<username>`): people offered by name, the
    value a username, so the address stays what the API takes. The people are read when the
    select is drawn (the API never draws it); a username in the address that is no longer
    offered (someone who has left) stays chosen rather than silently dropped."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-value-field": "username", **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v]
        people = list(people_to_name()[: PERSON_FILTER_OPTIONS + 1])
        if len(people) > PERSON_FILTER_OPTIONS:
            # A large organisation: the select offers the person chosen, and the picker
            # searches for the others (`/people/search/`); the page reads no list of everyone.
            people = list(people_to_name().filter(username__in=chosen))
        offered = [(p.username, person_label(p)) for p in people]
        known = {username for username, _ in offered}
        kept = [(v, v) for v in chosen if v not in known]
        self.choices = [("", "Anyone"), *kept, *offered]
        return super().optgroups(name, value, attrs)


class PersonChoiceField(forms.ModelChoiceField):
    """One person, offered by name ("First Last (username)") among `people_to_name()`.
    Anyone else sent by hand (a machine client, someone who has left) is a field error."""

    widget = PersonSelect
    default_error_messages = {"invalid_choice": PERSON_REFUSED}

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=people_to_name() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    """Several people, under the same rule as `PersonChoiceField`."""

    widget = PeopleSelect
    default_error_messages = {"invalid_choice": PERSON_REFUSED}

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=people_to_name() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
