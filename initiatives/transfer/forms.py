from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with the columns listed below (UTF-8).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PORTAL_IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {settings.PORTAL_IMPORT_MAX_BYTES // 1024} KiB."
            )
        return upload
