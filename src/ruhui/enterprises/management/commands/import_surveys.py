"""ruhui import_surveys FILE --unit CODE [--dry-run] [--report REPORT.json]"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruhui.accounts.selectors import command_actor
from ruhui.enterprises.importer import import_surveys
from ruhui.enterprises.management.commands.import_enterprises import (
    command_unit,
    summary_line,
    write_report,
)
from ruhui.tabular.files import FileRejected


class Command(BaseCommand):
    help = (
        "导入企业排查表（xlsx/xls/csv）：每行是 --unit 负责或覆盖的一家已登记企业的一次排查。"
        "有被拒绝的行时仍返回 0；文件无法读取或单位不存在时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="组织代码：在它负责或覆盖的企业中查找")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")
        parser.add_argument("--result-xlsx", type=Path, help="把逐行结果写成 xlsx")

    def handle(self, *args, file, unit, dry_run, report, result_xlsx, **options):
        target = command_unit(unit)
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            summary = import_surveys(
                file,
                actor=command_actor(target),
                unit=target,
                dry_run=dry_run,
                report_path=result_xlsx,
            )
        except (FileRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        write_report(report, summary)
        self.stdout.write(summary_line(summary, dry_run))
