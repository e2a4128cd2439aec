"""ruhui import_members FILE --union CODE [--dry-run] [--update] [--report REPORT.json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ruhui.importing.member_import import import_members
from ruhui.orgs.models import Organization
from ruhui.tabular.files import FileRejected, check_upload


class Command(BaseCommand):
    help = (
        "导入会员花名册（xlsx/xls/csv）。所属工会列可把行放到 --union 之下的基层工会。"
        "有被拒绝的行时仍返回 0；文件无法读取或工会不存在时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--union", required=True, help="组织代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--update", action="store_true", help="更新本工会已有会员")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")
        parser.add_argument("--result-xlsx", type=Path, help="把逐行结果写成 xlsx")

    def handle(
        self,
        *args,
        file: Path,
        union: str,
        dry_run: bool,
        update: bool,
        report: Path | None,
        result_xlsx: Path | None,
        **options,
    ):
        target = Organization.objects.filter(code__iexact=union, is_active=True).first()
        if target is None:
            raise CommandError(f"组织代码「{union}」不存在或已撤销。")
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        try:
            kind = check_upload(file, file.name)
            summary = import_members(
                actor=None,
                union=target,
                path=file,
                kind=kind,
                dry_run=dry_run,
                update_existing=update,
                report_path=result_xlsx,
            )
        except FileRejected as exc:
            raise CommandError(str(exc)) from None
        data = summary.as_dict()
        if report:
            report.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        mode = "检查" if dry_run else "导入"
        self.stdout.write(
            f"{mode}完成：共 {summary.rows} 行，新增 {summary.created}，更新 {summary.updated}，"
            f"未导入 {summary.rejected}（空行 {summary.blank_rows}，说明行 {summary.notes_rows}）。"
        )
