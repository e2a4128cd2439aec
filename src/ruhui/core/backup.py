"""Backup and restore of the whole installation: the database and the file stores (issue 19 #10).

A backup is one directory (0700, every file 0600):

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite, the sqlite3
  backup API): the whole database;
- ``files.tar``: the job files (``RUHUI_JOB_FILES``: uploaded rosters, result workbooks, exports)
  under ``jobs/`` and the attachments (``RUHUI_ATTACHMENTS``) under ``attachments/``. These are
  the only file stores: uploads are never kept under MEDIA_ROOT, and collected static files are
  rebuilt by ``collectstatic``;
- ``manifest.json``: when, the applied migrations, per table the row count and an md5 checksum,
  and every stored file with its size and sha256.

The table checksum is an md5 over the rows' primary keys and ``updated_at`` (where the table has
that column; else over the primary keys only — the manifest names the columns of each table),
one line per row in primary-key order. It proves that the restored database holds the same rows
in the same versions, without reading the personal data itself.

On PostgreSQL the manifest and the dump see the same moment: the manifest is read in a
REPEATABLE READ transaction whose snapshot pg_dump takes over (``--snapshot``), so writes during
the backup cannot make the two disagree. On SQLite the manifest is read from the copy itself.

The field-encryption keys (``RUHUI_FIELD_KEYS``, ``RUHUI_BLIND_INDEX_KEY``) and ``SECRET_KEY``
are never written into a backup: they live in the environment (production) or in
``var/dev-secrets.json`` (development), neither of which is backed up here. Without the keys the
ID numbers and phones in a backup cannot be read, so they must be kept separately
(docs/operations.md, 「备份与恢复」).
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import django
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from ruhui.core.private import DIR_MODE, FILE_MODE, private_dir, private_file

FORMAT = "ruhui-backup-1"
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
FILES_TAR = "files.tar"
# The file stores: the folder name inside files.tar → the setting naming the directory.
FILE_STORES = {"jobs": "RUHUI_JOB_FILES", "attachments": "RUHUI_ATTACHMENTS"}
CHUNK = 1024 * 1024
FETCH_ROWS = 5000
KEYS_NOTE = (
    "本备份不含字段加密密钥（RUHUI_FIELD_KEYS）、盲索引密钥（RUHUI_BLIND_INDEX_KEY）和 SECRET_KEY；"
    "没有这些密钥，证件号码和手机号无法读出。密钥须单独保管。"
)


class BackupError(Exception):
    """A refusal or failure, with a Chinese message that names the problem and the fix."""


# --- tools and connections -------------------------------------------------------------------


def find_tool(name: str) -> str:
    """pg_dump / pg_restore: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client，"
        f"版本不低于数据库服务器），或把 {name} 所在的目录加入 PATH。"
    )


def _pg_env(db: dict) -> dict:
    """The libpq environment for pg_dump/pg_restore: the password goes in the environment, never
    on the command line (where `ps` would show it)."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS") or {}
    for key, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
    ):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(args: list[str], env: dict, what: str) -> None:
    # A fixed tool path and an argument list, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        args, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what}失败（退出码 {result.returncode}）：" + " / ".join(detail))


def parse_url(url: str) -> dict:
    """The Django settings of a database URL, or a refusal naming the expected forms."""
    try:
        db = dj_database_url.parse(url)
    except (ValueError, KeyError) as error:
        raise BackupError(
            f"--database 的地址无法识别（{error}）：应为 postgres://用户:密码@主机:端口/库名，"
            "或 sqlite:////绝对路径/文件名.sqlite3。"
        ) from None
    if db.get("ENGINE") not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise BackupError(
            f"--database 的数据库类型不受支持（{db.get('ENGINE')}）：只能恢复到 PostgreSQL "
            "（postgres://…）或 SQLite（sqlite:////…）。"
        )
    if not db.get("NAME"):
        raise BackupError("--database 的地址缺少数据库名（PostgreSQL）或文件路径（SQLite）。")
    return db


@contextlib.contextmanager
def database_alias(db: dict) -> Iterator[str]:
    """Register a database (Django settings dict) under a fresh alias for the block: ORM queries
    with ``using(alias)``, ``migrate --database alias``; closed and removed afterwards. The
    connection is opened before the alias is registered, so it is a dynamically created
    connection to Django's test machinery too."""
    alias = f"ruhui_backup_{uuid.uuid4().hex[:8]}"
    configured = connections.configure_settings({"default": dict(db)})["default"]
    wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, alias)
    try:
        wrapper.ensure_connection()
    except Exception as error:  # any driver error: the URL, the server or the password
        raise BackupError(
            f"无法连接数据库 {db.get('NAME')}（{str(error).strip().splitlines()[0]}）："
            "请检查 --database 的主机、端口、用户、密码和库名，并先用 createdb 建好空库。"
        ) from None
    connections.settings[alias] = configured
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        with contextlib.suppress(AttributeError):
            del connections[alias]
        connections.settings.pop(alias, None)


# --- the manifest ------------------------------------------------------------------------------


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def table_digests(connection) -> dict[str, dict]:
    """Per table: row count, the md5 of its rows' primary keys and updated_at (primary-key
    order), and which columns that md5 covers."""
    digests: dict[str, dict] = {}
    introspection = connection.introspection
    with connection.cursor() as cursor:
        for table in sorted(introspection.table_names(cursor)):
            description = introspection.get_table_description(cursor, table)
            columns = [column.name for column in description]
            keys = introspection.get_primary_key_columns(cursor, table) or []
            over = list(keys) + (["updated_at"] if "updated_at" in columns else [])
            if not over:  # no primary key: every column, in the order of every column
                keys = over = columns
            order = []
            for key in keys:
                quoted = _quote(connection, key)
                column = next(c for c in description if c.name == key)
                field_type = introspection.get_field_type(column.type_code, column)
                # Text keys sort by bytes on both servers, whatever the database's collation.
                if connection.vendor == "postgresql" and field_type in ("CharField", "TextField"):
                    quoted += ' COLLATE "C"'
                order.append(quoted)
            select = ", ".join(_quote(connection, column) for column in over)
            # Table and column names come from the database's own catalogue, quoted.
            sql = f"SELECT {select} FROM {_quote(connection, table)} ORDER BY {', '.join(order)}"  # noqa: S608
            digest = hashlib.md5(usedforsecurity=False)
            rows = 0
            # A server-side cursor on PostgreSQL: a million-row table is read in batches.
            with connection.chunked_cursor() as data:
                data.execute(sql)
                while batch := data.fetchmany(FETCH_ROWS):
                    for row in batch:
                        digest.update(("|".join(str(value) for value in row) + "\n").encode())
                    rows += len(batch)
            digests[table] = {"rows": rows, "md5": digest.hexdigest(), "over": over}
    return digests


def migration_state(connection) -> list[list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Hands tarfile a file's bytes and hashes them on the way, so each file is read once."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _store_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _archive_files(path: Path) -> list[dict]:
    entries = []
    private_file(path)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for store, setting in FILE_STORES.items():
            root = Path(getattr(settings, setting))
            for file in _store_files(root):
                name = f"{store}/{file.relative_to(root).as_posix()}"
                info = tar.gettarinfo(str(file), arcname=name)
                with open(file, "rb") as handle:
                    reader = _HashingReader(handle)
                    tar.addfile(info, reader)
                entries.append(
                    {"path": name, "size": info.size, "sha256": reader.digest.hexdigest()}
                )
    return entries


# --- backup ------------------------------------------------------------------------------------


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    file_bytes: int
    database_bytes: int


def summary_of(manifest: dict) -> Summary:
    return Summary(
        tables=len(manifest["tables"]),
        rows=sum(table["rows"] for table in manifest["tables"].values()),
        files=len(manifest["files"]["entries"]),
        file_bytes=sum(entry["size"] for entry in manifest["files"]["entries"]),
        database_bytes=manifest["database"]["size"],
    )


def _empty_or_missing(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def backup_create(target: Path | str, *, using: str = "default") -> dict:
    """Write a backup into `target` (new or empty) and return its manifest."""
    target = Path(target)
    if not _empty_or_missing(target):
        raise BackupError(
            f"备份目录 {target} 已存在且不为空：请指定一个新的或空的目录（每次备份一个目录），"
            "以免覆盖以前的备份。"
        )
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持备份 {connection.vendor} 数据库：只支持 PostgreSQL 和 SQLite。")
    if connection.vendor == "postgresql":
        pg_dump = find_tool("pg_dump")
    if connection.in_atomic_block:
        raise BackupError("备份不能在数据库事务中运行：请直接运行 ruhui backup。")
    private_dir(target)
    created = datetime.datetime.now(datetime.UTC)
    if connection.vendor == "postgresql":
        dump = private_file(target / PG_DUMP_FILE)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            db = connection.settings_dict
            _run(
                [pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(dump), db["NAME"]],
                _pg_env(db),
                "pg_dump 导出数据库",
            )
            tables = table_digests(connection)
            migrations = migration_state(connection)
    else:
        dump = private_file(target / SQLITE_FILE)
        connection.ensure_connection()
        destination = sqlite3.connect(dump)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        with database_alias({"ENGINE": "django.db.backends.sqlite3", "NAME": str(dump)}) as alias:
            tables = table_digests(connections[alias])
            migrations = migration_state(connections[alias])
    entries = _archive_files(target / FILES_TAR)
    manifest = {
        "format": FORMAT,
        "created_at": created.isoformat(timespec="seconds"),
        "django": django.get_version(),
        "keys": KEYS_NOTE,
        "database": {
            "vendor": connection.vendor,
            "file": dump.name,
            "size": dump.stat().st_size,
            "sha256": _sha256(dump),
        },
        "migrations": migrations,
        "checksum": "md5 over '|'.join(columns) + '\\n' per row, in primary-key order; "
        "columns: the primary key and updated_at where the table has it (see 'over')",
        "tables": tables,
        "files": {
            "archive": FILES_TAR,
            "sha256": _sha256(target / FILES_TAR),
            "entries": entries,
        },
    }
    manifest_path = private_file(target / MANIFEST)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# --- restore -----------------------------------------------------------------------------------


@dataclass
class Verification:
    """The restored database and files compared with the manifest."""

    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not source.is_dir():
        raise BackupError(f"备份目录 {source} 不存在：请指定 ruhui backup 生成的目录。")
    if not path.is_file():
        raise BackupError(f"{source} 中没有 {MANIFEST}：这不是 ruhui backup 生成的备份目录。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} 无法读取（{error}）：备份清单已损坏。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 的格式是 {manifest.get('format')!r}，不是 {FORMAT}：无法恢复。")
    return manifest


def verify(manifest: dict, connection) -> Verification:
    """Compare counts and checksums of every table, and the applied migrations."""
    result = Verification()
    actual = table_digests(connection)
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want is None:
            result.problems.append(f"表 {table}：备份中没有，恢复后的数据库却有")
        elif have is None:
            result.problems.append(f"表 {table}：备份中有 {want['rows']} 行，恢复后缺少这张表")
        elif want["rows"] != have["rows"]:
            result.problems.append(f"表 {table}：行数应为 {want['rows']}，实为 {have['rows']}")
        elif want["md5"] != have["md5"]:
            result.problems.append(f"表 {table}：行数相同，校验和不符（主键或 updated_at 不同）")
    result.tables = len(actual)
    result.rows = sum(table["rows"] for table in actual.values())
    if migration_state(connection) != manifest["migrations"]:
        result.problems.append("已执行的迁移与备份时不同")
    return result


def _check_files_target(force: bool) -> None:
    for setting in FILE_STORES.values():
        root = Path(getattr(settings, setting))
        if not force and not _empty_or_missing(root):
            raise BackupError(
                f"文件目录 {root}（{setting}）不是空的：恢复会覆盖其中的文件。请换一个空目录"
                "（设置该环境变量），或确认要覆盖后加 --force。"
            )


def _extract_files(archive: Path, manifest: dict, result: Verification) -> None:
    roots = {
        store: private_dir(getattr(settings, setting)) for store, setting in FILE_STORES.items()
    }
    with tarfile.open(archive, "r") as tar:
        for member in tar.getmembers():
            store, _, rest = member.name.partition("/")
            if store not in roots or not rest or not member.isfile():
                raise BackupError(
                    f"{archive} 中有不属于任何文件目录的条目 {member.name!r}：拒绝恢复。"
                )
            member.name = rest
            tar.extract(member, roots[store], filter="data")
    for root in roots.values():
        for path in root.rglob("*"):
            os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)
    for entry in manifest["files"]["entries"]:
        store, _, rest = entry["path"].partition("/")
        path = roots[store] / rest
        if not path.is_file():
            result.problems.append(f"文件 {entry['path']}：恢复后缺失")
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            result.problems.append(f"文件 {entry['path']}：大小或 sha256 与备份清单不符")
        else:
            result.files += 1


def restore(source: Path | str, url: str, *, force: bool = False) -> Verification:
    """Restore a backup into the empty database at `url` and the configured file directories,
    then verify both against the manifest. Refusals raise BackupError before anything is
    written; a mismatch after the restore is reported in the returned Verification."""
    source = Path(source)
    manifest = read_manifest(source)
    db = parse_url(url)
    vendor = manifest["database"]["vendor"]
    target_vendor = "postgresql" if "postgresql" in db["ENGINE"] else "sqlite"
    if vendor != target_vendor:
        raise BackupError(
            f"这是 {vendor} 数据库的备份，--database 却指向 {target_vendor}：请恢复到同类数据库。"
        )
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError(
            f"数据库备份文件 {dump} 缺失或与清单中的 sha256 不符：备份已损坏或被改动。"
        )
    archive = source / manifest["files"]["archive"]
    if not archive.is_file() or _sha256(archive) != manifest["files"]["sha256"]:
        raise BackupError(f"文件归档 {archive} 缺失或与清单中的 sha256 不符：备份已损坏或被改动。")
    _check_files_target(force)
    if vendor == "postgresql":
        pg_restore = find_tool("pg_restore")
        _check_empty_database(db)
        _run(
            [
                pg_restore,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "-d",
                db["NAME"],
                str(dump),
            ],
            _pg_env(db),
            "pg_restore 恢复数据库",
        )
    else:
        _check_empty_database(db)
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, private_file(target))
    with database_alias(db) as alias:
        result = verify(manifest, connections[alias])
    _extract_files(archive, manifest, result)
    return result


def _check_empty_database(db: dict) -> None:
    if "sqlite" in db["ENGINE"] and not Path(db["NAME"]).exists():
        return
    with database_alias(db) as alias:
        connection = connections[alias]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"目标数据库 {db['NAME']} 不是空的（已有 {len(tables)} 张表）：恢复只写入空数据库。"
            "请新建一个空库（createdb）再恢复，不要覆盖正在使用的数据库。"
        )
