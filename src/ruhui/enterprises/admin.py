from django.contrib import admin

from ruhui.enterprises.models import Enterprise, Park


@admin.register(Enterprise, Park)
class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only in the admin: enterprises and parks change through the audited services."""

    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
