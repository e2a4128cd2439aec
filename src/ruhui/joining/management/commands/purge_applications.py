"""Delete rejected and withdrawn online applications past their retention period (PI-9)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ruhui.joining.services import purge_closed_applications


class Command(BaseCommand):
    help = "删除超过保存期限的已驳回、已撤回网上入会/转会申请（默认 180 天，可用 --days 指定）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保存期限（天），默认取 RUHUI_APPLICATION_RETENTION_DAYS",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.RUHUI_APPLICATION_RETENTION_DAYS if days is None else days
        if days < 1:
            self.stderr.write("保存期限至少为 1 天。")
            raise SystemExit(2)
        count = purge_closed_applications(days=days, dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {count} 份超过 {days} 天的已驳回或已撤回申请。")
