"""ruhui export_members --union CODE --out FILE.xlsx|FILE.csv"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ruhui.audit.services import Action, audit_record
from ruhui.importing.export import member_export_rows, write_member_csv, write_member_xlsx
from ruhui.members.models import Member
from ruhui.orgs.models import Organization


class Command(BaseCommand):
    help = "导出一个工会及其下级工会的会员名册（省级实名制模板列顺序，证件号和手机号脱敏）。"

    def add_arguments(self, parser):
        parser.add_argument("--union", required=True, help="组织代码")
        parser.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx 或 .csv")

    def handle(self, *args, union: str, out: Path, **options):
        target = Organization.objects.filter(code__iexact=union).first()
        if target is None:
            raise CommandError(f"组织代码「{union}」不存在。")
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("输出文件须以 .xlsx 或 .csv 结尾。")
        queryset = Member.objects.filter(union__path__startswith=target.path).order_by("id")
        writer = write_member_xlsx if fmt == "xlsx" else write_member_csv
        rows = writer(out, member_export_rows(queryset, full=False))
        audit_record(
            actor=None,
            action=Action.EXPORT,
            org_path=target.path,
            username="命令行",
            object_repr=f"会员名册（{target.name}）",
            changes={"导出行数": [None, rows], "格式": [None, fmt], "文件": [None, str(out)]},
        )
        self.stdout.write(f"已导出 {rows} 名会员到 {out}。")
