"""ruhui import_enterprises FILE --unit CODE [--dry-run] [--update] [--report REPORT.json]"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruhui.accounts.selectors import command_actor
from ruhui.enterprises.importer import import_enterprises
from ruhui.orgs.models import Organization
from ruhui.tabular.files import FileRejected


def command_unit(code: str) -> Organization:
    unit = Organization.objects.filter(code__iexact=code, is_active=True).first()
    if unit is None:
        raise CommandError(f"组织代码「{code}」不存在或已撤销。")
    return unit


def write_report(path: Path | None, summary) -> None:
    if path:
        data = summary.as_dict()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def summary_line(summary, dry_run: bool) -> str:
    mode = "检查" if dry_run else "导入"
    return (
        f"{mode}完成：共 {summary.rows} 行，新增 {summary.created}，更新 {summary.updated}，"
        f"未导入 {summary.rejected}（空行 {summary.blank_rows}，说明行 {summary.notes_rows}）。"
    )


class Command(BaseCommand):
    help = (
        "导入企业名单（xlsx/xls/csv）到 --unit 所指的责任单位。有被拒绝的行时仍返回 0；"
        "文件无法读取或单位不存在时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="责任单位的组织代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--update", action="store_true", help="更新已登记的企业")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")
        parser.add_argument("--result-xlsx", type=Path, help="把逐行结果写成 xlsx")

    def handle(self, *args, file, unit, dry_run, update, report, result_xlsx, **options):
        target = command_unit(unit)
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            summary = import_enterprises(
                file,
                actor=command_actor(target),
                responsible_unit=target,
                dry_run=dry_run,
                update=update,
                report_path=result_xlsx,
            )
        except (FileRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        write_report(report, summary)
        self.stdout.write(summary_line(summary, dry_run))
