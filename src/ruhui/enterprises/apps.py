from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "ruhui.enterprises"
    verbose_name = "企业排查"

    def ready(self) -> None:
        from ruhui.enterprises import guards
        from ruhui.enterprises.jobs import KINDS_TO_REGISTER
        from ruhui.jobs.kinds import register
        from ruhui.orgs.services import DEACTIVATION_GUARDS

        DEACTIVATION_GUARDS.append(guards.union_still_covers_enterprises)
        for kind in KINDS_TO_REGISTER:
            register(kind)
