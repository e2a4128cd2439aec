"""ruhui backup DIR — the database, the job files and the attachments, with a manifest."""

from django.core.management.base import BaseCommand, CommandError

from ruhui.core.backup import KEYS_NOTE, BackupError, backup_create, summary_of


class Command(BaseCommand):
    help = (
        "备份整个系统到一个新的（或空的）目录：数据库（PostgreSQL 用 pg_dump -Fc，SQLite 用其"
        "备份接口）、任务文件和附件（files.tar），以及清单 manifest.json（每张表的行数和校验和、"
        "每个文件的大小和 sha256）。不含任何密钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（不存在或为空）")
        parser.add_argument("--database", default="default", help="要备份的数据库别名")

    def handle(self, *args, directory: str, database: str, **options):
        try:
            manifest = backup_create(directory, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        summary = summary_of(manifest)
        self.stdout.write(
            f"备份完成：{directory}\n"
            f"  数据库（{manifest['database']['vendor']}）：{summary.tables} 张表，"
            f"{summary.rows} 行，备份文件 {summary.database_bytes / 1024**2:.1f} MB\n"
            f"  文件：{summary.files} 个，{summary.file_bytes / 1024**2:.1f} MB\n"
            f"  {KEYS_NOTE}"
        )
