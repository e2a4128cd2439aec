"""ruhui export_worklist --unit CODE --out FILE.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ruhui.accounts.selectors import command_actor
from ruhui.enterprises import selectors
from ruhui.enterprises.export import export_worklist
from ruhui.enterprises.management.commands.import_enterprises import command_unit


class Command(BaseCommand):
    help = "导出 --unit 所负责企业的建会工作清单（未建会、筹建中，职工人数多的在前）为 xlsx。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="责任单位的组织代码")
        parser.add_argument("--out", required=True, type=Path, help="输出文件（.xlsx）")
        parser.add_argument("--overdue-first", action="store_true", help="逾期的排在前面")

    def handle(self, *args, unit, out, overdue_first, **options):
        target = command_unit(unit)
        if out.suffix.lower() != ".xlsx":
            raise CommandError("输出文件须为 .xlsx。")
        actor = command_actor(target)
        queryset = selectors.worklist(user=actor, unit=target, overdue_first=overdue_first)
        rows = export_worklist(
            actor=actor, queryset=queryset, path=out, unit=target, filters={"unit": target.code}
        )
        self.stdout.write(f"已导出 {rows} 家企业到 {out}。")
