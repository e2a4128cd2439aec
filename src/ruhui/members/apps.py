from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "ruhui.members"
    verbose_name = "会员实名制"

    def ready(self) -> None:
        from ruhui.jobs.kinds import register
        from ruhui.members import guards
        from ruhui.members.dues_import import DUES_IMPORT_KIND
        from ruhui.orgs.services import DEACTIVATION_GUARDS

        DEACTIVATION_GUARDS.append(guards.union_still_holds_members)
        register(DUES_IMPORT_KIND)
