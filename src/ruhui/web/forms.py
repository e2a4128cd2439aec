"""Small helpers shared by form views, and the several-files upload field every feature with
attachments uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ATTACHMENTS_HELP = _("可选多个文件：JPG、PNG、PDF、.docx 或 .xlsx，每个不超过 10 MB。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files (Django's documented pattern); each is checked by the service
    (`tabular.stored.attach_uploads`)."""

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def attachments_field(label, *, help_text=ATTACHMENTS_HELP, accept: str = "") -> MultipleFileField:
    """An optional several-files field; the view reads them all (request.FILES.getlist)."""
    attrs = {"accept": accept} if accept else {}
    return MultipleFileField(
        label=label, required=False, widget=MultipleFileInput(attrs=attrs), help_text=help_text
    )


def apply_validation_error(form, exc: ValidationError, field_map: dict | None = None) -> None:
    """Put a service's ValidationError on the form: on the named field, else at the top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def querystring_without_page(request) -> str:
    """The current query string minus `page`, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
