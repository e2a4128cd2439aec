from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "ruhui.members"
    verbose_name = "会员实名制"
