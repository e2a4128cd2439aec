"""ruhui import_positions FILE --unit CODE [--dry-run] [--report R.json] [--result-xlsx R.xlsx]"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruhui.accounts.selectors import command_actor
from ruhui.orgs.models import Organization
from ruhui.positions.importer import import_positions
from ruhui.tabular.files import FileRejected


class Command(BaseCommand):
    help = (
        "把服务阵地清单（xlsx/xls/csv，表头同导出的表格）导入 --unit 所指单位及其下级工会。"
        "站点编号（没有编号时为运营工会和名称）已存在的阵地被更新，其余新增。有被拒绝的行时仍返回 0；"
        "文件无法读取或单位不存在时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="导入单位的组织代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")
        parser.add_argument("--result-xlsx", type=Path, help="把逐行结果写成 xlsx")

    def handle(self, *args, file, unit, dry_run, report, result_xlsx, **options):
        file = Path(file)
        target = Organization.objects.filter(code__iexact=unit, is_active=True).first()
        if target is None:
            raise CommandError(f"组织代码「{unit}」不存在或已撤销。")
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            summary = import_positions(
                file,
                actor=command_actor(target),
                unit=target,
                dry_run=dry_run,
                report_path=Path(result_xlsx) if result_xlsx else None,
            )
        except (FileRejected, PermissionDenied) as exc:
            raise CommandError(str(exc) or "没有导入服务阵地的权限。") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if report:
            data = summary.as_dict()
            Path(report).write_text(
                json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        mode = "检查" if dry_run else "导入"
        self.stdout.write(
            f"{mode}完成：共 {summary.rows} 行，新增 {summary.created}，更新 {summary.updated}，"
            f"未导入 {summary.rejected}（空行 {summary.blank_rows}，说明行 {summary.notes_rows}）。"
        )
