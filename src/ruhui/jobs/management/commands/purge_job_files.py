"""ruhui purge_job_files [--days N] [--dry-run] — run daily (cron or a systemd timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ruhui.jobs.retention import job_files_purge


class Command(BaseCommand):
    help = (
        "按保存期限清除后台任务的文件（上传的花名册和名单、逐行结果、导出文件，含完整证件号码）："
        "删除已结束超过期限的任务的文件，以及目录中无任务引用、超过期限的文件。"
        "排队中、进行中、待审批的任务不受影响。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保存天数（默认 RUHUI_JOB_FILE_RETENTION_DAYS，当前 "
            f"{settings.RUHUI_JOB_FILE_RETENTION_DAYS} 天）",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将要清除的内容，不删除、不修改记录"
        )

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        try:
            result = job_files_purge(days=days, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 2:
            for file in result.files + result.orphans:
                self.stdout.write(f"  {file}")
        self.stdout.write(result.summary())
        if result.failed:
            raise CommandError(f"有 {len(result.failed)} 个文件删除失败，见上。")
