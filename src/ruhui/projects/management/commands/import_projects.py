"""ruhui import_projects FILE --campaign SLUG --unit CODE [--dry-run] [--report R.json]"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ruhui.accounts.selectors import command_actor
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.projects import services
from ruhui.projects.importer import import_projects
from ruhui.projects.models import ActionPlan
from ruhui.tabular.files import FileRejected


class Command(BaseCommand):
    help = (
        "把项目清单表格（xlsx/xls/csv）导入 --unit 所指单位在 --campaign 集中行动中的“项目清单+责任制”"
        "行动计划（没有计划时新建草稿）。有被拒绝的行时仍返回 0；文件无法读取、单位或行动不存在、"
        "计划已报送时返回非 0。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--campaign", required=True, help="集中行动编号（slug）")
        parser.add_argument("--unit", required=True, help="编制行动计划的单位的组织代码")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", type=Path, help="把结果写成 JSON")
        parser.add_argument("--result-xlsx", type=Path, help="把逐行结果写成 xlsx")

    def handle(self, *args, file, campaign, unit, dry_run, report, result_xlsx, **options):
        file = Path(file)
        report = Path(report) if report else None
        result_xlsx = Path(result_xlsx) if result_xlsx else None
        drive = Campaign.objects.select_related("owner").filter(slug=campaign).first()
        if drive is None:
            raise CommandError(f"集中行动「{campaign}」不存在。")
        target = Organization.objects.filter(code__iexact=unit, is_active=True).first()
        if target is None:
            raise CommandError(f"组织代码「{unit}」不存在或已撤销。")
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = command_actor(target)
        try:
            plan = ActionPlan.objects.filter(campaign=drive, unit=target).first()
            if plan is None and dry_run:  # a check writes nothing, not even the draft plan
                plan = ActionPlan(campaign=drive, unit=target)
            elif plan is None:
                plan = services.plan_open(actor=actor, campaign=drive, unit=target)
            summary = import_projects(
                file, actor=actor, plan=plan, dry_run=dry_run, report_path=result_xlsx
            )
        except (FileRejected, PermissionDenied) as exc:
            raise CommandError(str(exc) or "没有导入该行动计划的权限。") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if report:
            data = summary.as_dict()
            report.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        mode = "检查" if dry_run else "导入"
        self.stdout.write(
            f"{mode}完成：共 {summary.rows} 行，新增 {summary.created}，未导入 {summary.rejected}"
            f"（空行 {summary.blank_rows}，说明行 {summary.notes_rows}）。"
        )
