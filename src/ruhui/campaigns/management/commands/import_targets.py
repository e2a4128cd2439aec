"""ruhui import_targets FILE --campaign SLUG [--unit CODE] [--dry-run] [--report REPORT.json]"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruhui.campaigns.models import Campaign
from ruhui.campaigns.target_import import target_table_import
from ruhui.orgs.models import Organization
from ruhui.tabular.files import FileRejected

MSG_NO_CAMPAIGN = "没有编号为「{slug}」的集中行动。"
MSG_NO_UNIT = "组织代码「{code}」不存在或已撤销。"
MSG_NO_FILE = "文件不存在：{path}"
MSG_SUMMARY = (
    "{mode}完成：表中 {units} 个单位，对应上 {matched} 个，未对应 {unmatched} 个，"
    "有错误的行 {errors} 行；合计行：基数 {baseline}，任务 {target}。"
)
MSG_CHECKS_FAILED = "有 {count} 项检查未通过："
MSG_CHECKS_PASSED = "各项检查均通过。"


def _figure(value: int | None) -> str:
    return "—" if value is None else f"{value:,} 人"


class Command(BaseCommand):
    help = (
        "导入任务分解表（xlsx/xls/csv，或从 Word 复制的表格 .txt），作为 --unit（默认为行动的"
        "组织单位）对下级单位的任务分解。有未对应的单位名称或检查未通过时仍返回 0；行动或单位"
        "不存在、文件无法读取、找不到表头或没有一个单位对应上时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--campaign", required=True, help="集中行动的编号，例如 pds-2015")
        parser.add_argument("--unit", help="分解单位的组织代码（默认为行动的组织单位）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")

    def handle(
        self,
        *args,
        file: Path,
        campaign: str,
        unit: str | None,
        dry_run: bool,
        report: Path | None,
        **options,
    ):
        found = Campaign.objects.select_related("owner").filter(slug=campaign).first()
        if found is None:
            raise CommandError(MSG_NO_CAMPAIGN.format(slug=campaign))
        decomposing = found.owner
        if unit:
            decomposing = Organization.objects.filter(code__iexact=unit, is_active=True).first()
            if decomposing is None:
                raise CommandError(MSG_NO_UNIT.format(code=unit))
        if not file.is_file():
            raise CommandError(MSG_NO_FILE.format(path=file))
        try:
            result = target_table_import(
                actor=None,
                campaign=found,
                unit=decomposing,
                path=file,
                original_name=file.name,
                dry_run=dry_run,
            )
        except (FileRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if report:
            report.write_text(
                json.dumps(result.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self._summary(result)

    def _summary(self, result) -> None:
        self.stdout.write(
            MSG_SUMMARY.format(
                mode="检查（未写入）" if result.dry_run else "导入",
                units=result.units,
                matched=len(result.matched),
                unmatched=len(result.unmatched),
                errors=len({error.row for error in result.errors}),
                baseline=_figure(result.declared_baseline),
                target=_figure(result.declared_target),
            )
        )
        for item in result.unmatched:
            self.stdout.write(f"  {item.message}")
        for error in result.errors:
            self.stdout.write(f"  {error.message}")
        if result.checks:
            self.stdout.write(MSG_CHECKS_FAILED.format(count=len(result.checks)))
            for check in result.checks:
                self.stdout.write(f"  {check.message}")
        else:
            self.stdout.write(MSG_CHECKS_PASSED)
