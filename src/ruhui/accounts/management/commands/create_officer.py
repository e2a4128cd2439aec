"""ruhui create_officer USERNAME --role auditor|security --org CODE --name 姓名 [--reset]

三员分立 (issue 19): security and audit administrator accounts are opened by the operator on the
server (the same trust as `ruhui createsuperuser`), never by a system administrator in the web
pages, so an admin cannot make an auditor account and sign in as it. The one-time password is
printed once; the officer changes it at first login. `--reset` issues a new one-time password to
an existing officer (who lost theirs). Both are audited with the actor 命令行."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ruhui.accounts import services
from ruhui.accounts.models import Role, User
from ruhui.accounts.rules import OFFICER_ROLES
from ruhui.accounts.selectors import command_actor
from ruhui.orgs.models import Organization

#: The operator at the console, as the audit log names them.
CONSOLE = "命令行"


def console_actor(unit) -> User:
    """An unsaved superuser standing for the operator at the console (recorded as 命令行)."""
    return command_actor(unit, name=CONSOLE, superuser=True)


class Command(BaseCommand):
    help = "开设安全管理员或审计管理员账号（三员分立），或为其重置一次性密码（--reset）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名（字母、数字、下划线、点或连字符）")
        parser.add_argument(
            "--role", required=True, choices=[r.value for r in OFFICER_ROLES], help="角色"
        )
        parser.add_argument("--org", help="所属组织代码（新开账号时必填），如 PDS")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--reset", action="store_true", help="为已有账号重置一次性密码")

    @transaction.atomic
    def handle(self, *args, username, role, org, name, reset, **options):
        if reset:
            user = User.objects.filter(username=username, role=role).first()
            if user is None:
                raise CommandError(
                    f"没有角色为「{Role(role).label}」的账号「{username}」，请核对用户名和 --role。"
                )
            password = services.user_reset_password(
                actor=console_actor(user.organization), user=user
            )
            self.stdout.write(f"已为「{username}」重置一次性密码（只显示这一次，首次登录须修改）：")
            self.stdout.write(password)
            return
        if not org:
            raise CommandError("新开账号须用 --org 指定所属组织代码，如 --org PDS。")
        unit = Organization.objects.filter(code__iexact=org).first()
        if unit is None:
            raise CommandError(f"组织代码「{org}」不存在，请核对 --org。")
        try:
            user, password = services.user_create(
                actor=console_actor(unit),
                username=username,
                full_name=name or Role(role).label,
                organization=unit,
                role=role,
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"已开设{Role(role).label}「{user.username}」（{unit.name}）。一次性密码（只显示这一次，"
            "首次登录须修改）："
        )
        self.stdout.write(password)
