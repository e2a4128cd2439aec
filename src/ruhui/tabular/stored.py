"""The record of a kept attachment, for every feature that keeps files with its records (a
plan's 实施方案, a 月报's photos, a 自评报告, a case's photos): `StoredFile` holds what
`tabular.attachments.attachment_store` returns; the feature's concrete model adds the owner
(its foreign key) and its `scope_field`, and serves the file through its scoped view.

`attach_uploads` checks and keeps a list of uploads and records them as rows of such a model,
in one go: a refused file is a ValidationError on the form's field (the Chinese message names
the file and the fix), and when any file is refused or any row cannot be written, no file is
left on disk."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ruhui.tabular.attachments import attachment_delete, attachment_store
from ruhui.tabular.files import FileRejected


class StoredFile(models.Model):
    """path (random name under RUHUI_ATTACHMENTS), the name the user gave, kind, size,
    SHA-256, who uploaded it and when."""

    path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


def attach_uploads(
    model: type[StoredFile],
    uploads: Iterable,
    *,
    actor,
    field: str,
    store: Callable = attachment_store,
    **owner,
) -> list[StoredFile]:
    """Check and keep every upload with `store` (the general check, or a feature's stricter
    one built on it), then record each as a `model` row with `owner` (its foreign keys). A
    refusal raises ValidationError on `field`; on any failure no kept file is left. (Called
    last in a service, so that nothing that could still fail comes after it.)"""
    kept = []
    try:
        for upload in uploads:
            try:
                kept.append(store(upload))
            except FileRejected as refused:
                raise ValidationError({field: [str(refused)]}) from None
        uploaded_by = actor if getattr(actor, "pk", None) else None
        return [
            model.objects.create(
                **{f.name: getattr(item, f.name) for f in fields(item)} | {"path": str(item.path)},
                uploaded_by=uploaded_by,
                **owner,
            )
            for item in kept
        ]
    except BaseException:
        for item in kept:
            attachment_delete(item.path)
        raise
