"""ruhui restore DIR --database URL [--force] — into an empty database, then verified."""

import time

from django.core.management.base import BaseCommand, CommandError

from ruhui.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "把 ruhui backup 的备份恢复到一个空数据库（PostgreSQL：pg_restore --single-transaction "
        "--exit-on-error；SQLite：复制文件），文件恢复到当前配置的 RUHUI_JOB_FILES 和 "
        "RUHUI_ATTACHMENTS 目录，然后按清单核对每张表的行数和校验和、每个文件的 sha256。"
        "需要与备份时相同的密钥（RUHUI_FIELD_KEYS、RUHUI_BLIND_INDEX_KEY）才能读出证件号码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="ruhui backup 生成的备份目录")
        parser.add_argument(
            "--database",
            required=True,
            help="目标数据库地址（必须是空库），如 postgres://用户@主机:5432/库名 "
            "或 sqlite:////绝对路径/ruhui.sqlite3",
        )
        parser.add_argument(
            "--force", action="store_true", help="文件目录不为空时也恢复（覆盖同名文件）"
        )

    def handle(self, *args, directory: str, database: str, force: bool, **options):
        started = time.monotonic()
        try:
            result = restore(directory, database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"恢复完成，用时 {elapsed:.1f} 秒：{result.tables} 张表，{result.rows} 行，"
            f"{result.files} 个文件。"
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"核对不符：{len(result.problems)} 处与备份清单不一致（见上）。"
                "请不要启用这个数据库，检查备份是否完整后重新恢复到新的空库。"
            )
        self.stdout.write("核对通过：每张表的行数和校验和、每个文件的 sha256 都与备份清单一致。")
