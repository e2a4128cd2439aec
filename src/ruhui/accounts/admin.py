from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ruhui.accounts.models import AuditEvent, User


@admin.register(User)
class RuhuiUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("组织与角色", {"fields": ("full_name", "organization", "role", "must_change_password")}),
    )
    list_display = ["username", "full_name", "organization", "role", "is_active"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "object_repr", "ip", "result"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
