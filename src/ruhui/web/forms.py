"""Small helpers shared by form views."""

from django.core.exceptions import ValidationError


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
