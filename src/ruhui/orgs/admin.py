from django.contrib import admin

from ruhui.orgs.models import Organization, WorkerGroup


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Read-only in the admin: the tree is changed through the audited pages and services."""

    list_display = ["name", "code", "kind", "division_code", "is_active"]
    search_fields = ["name", "code"]
    list_filter = ["kind", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(WorkerGroup)
