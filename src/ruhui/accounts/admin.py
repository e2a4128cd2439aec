from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ruhui.accounts.models import User


@admin.register(User)
class RuhuiUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("组织与角色", {"fields": ("full_name", "organization", "role", "must_change_password")}),
    )
    list_display = ["username", "full_name", "organization", "role", "is_active"]
