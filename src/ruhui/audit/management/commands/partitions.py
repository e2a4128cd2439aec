"""Keep the yearly partitions of the history tables (docs/operations.md「分区表与保存期限」):
make this year's and the coming years' partitions, move rows out of the DEFAULT partition into
their year's, report every partition with its rows, and with --purge drop the audit log's years
older than the retention period (audit.retention)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ruhui.audit import retention
from ruhui.core import partitions


class Command(BaseCommand):
    help = (
        "维护会籍变动与审计日志的按年分区：建好今年及以后几年的分区并列出各分区行数；"
        "加 --purge 时整年删除超过保存期限的审计日志分区（每天运行一次）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead",
            type=int,
            default=partitions.AHEAD,
            help=f"提前建好今年之后几年的分区，默认 {partitions.AHEAD}",
        )
        parser.add_argument(
            "--purge", action="store_true", help="整年删除超过保存期限的审计日志分区"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="审计日志保存期限（天），默认取 RUHUI_AUDIT_RETENTION_DAYS，不得少于 180",
        )

    def handle(self, *args, ahead=partitions.AHEAD, purge=False, days=None, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("当前数据库不是 PostgreSQL，没有分区表，无需维护。")
            return
        if ahead < 0 or ahead > 10:
            raise CommandError("--ahead（提前建几年的分区）应为 0 到 10 之间的整数。")
        try:
            days = retention.retention_days(days) if purge else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        for table, years in partitions.ensure_partitions(ahead=ahead).items():
            if years:
                made = "、".join(str(year) for year in years)
                self.stdout.write(f"{table}：新建 {made} 年分区。")
        if purge:
            dropped = retention.purge_expired_years(days=days)
            for part in dropped:
                self.stdout.write(
                    f"已删除 {part.year} 年审计日志分区 {part.name}（{part.rows} 条，"
                    f"保存期限 {days} 天）。"
                )
            if not dropped:
                self.stdout.write(f"没有整年超过 {days} 天保存期限的审计日志分区。")
        for table in partitions.partitioned_tables():
            self.stdout.write(f"{table}：")
            for part in partitions.partitions(table):
                label = "默认分区（DEFAULT）" if part.year is None else f"{part.year} 年"
                self.stdout.write(f"  {part.name}  {label}  {part.rows} 行")
