from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What uses it, e.g. “monitoring job” or “my laptop”, so you know what to revoke.",
    )
