"""Backup and restore drill (issue 19 #10): members with ID numbers, a job file and an attachment
are backed up, restored into an EMPTY database (a scratch database on the PostgreSQL server,
dropped at the end; a new file on SQLite), and then `migrate --check` is clean, the manifest
matches, and a member is still found by ID number through the blind index. No key material is
in any backup file. Prints `backup/restore: N tables, M rows, restore (RTO) X.X s`."""

import base64
import io
import json
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from PIL import Image

from ruhui.core import backup, crypto
from ruhui.core.masking import mask_id_number
from ruhui.jobs.files import job_file
from ruhui.members.models import Member, person_memberships
from ruhui.members.personal import ID_CONTEXT, id_hash
from ruhui.tabular.attachments import attachment_store
from tests.members.factories import join, make_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def _build_data(world) -> list[str]:
    numbers = [make_id_number() for _ in range(5)]
    for number in numbers:
        join(world.county_admin, world.county_trade, id_number=number)
    job_file("roster-backup.csv").write_text(
        f"姓名,证件号码\n张伟,{numbers[0]}\n", encoding="utf-8"
    )
    image = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(image, format="PNG")
    attachment_store(SimpleUploadedFile("现场照片.png", image.getvalue()))
    return numbers


def _key_needles() -> list[bytes]:
    """Every form a key could take in a file: raw bytes, base64 (both alphabets, padded or not),
    hex; and the SECRET_KEY text."""
    needles = [settings.SECRET_KEY.encode()]
    for key in [*settings.RUHUI_FIELD_KEYS.values(), settings.RUHUI_BLIND_INDEX_KEY]:
        needles += [
            key,
            base64.b64encode(key),
            base64.b64encode(key).rstrip(b"="),
            base64.urlsafe_b64encode(key).rstrip(b"="),
            key.hex().encode(),
            key.hex().upper().encode(),
        ]
    return needles


def _assert_no_keys(directory: Path, extra_text: bytes = b"") -> None:
    haystacks = {path.name: path.read_bytes() for path in directory.iterdir()}
    haystacks["pg_restore -f - (plain SQL)"] = extra_text
    for name, content in haystacks.items():
        for needle in _key_needles():
            assert needle not in content, f"key material in {name}"


def _point_files_at(settings, tmp_path: Path, name: str) -> None:
    settings.RUHUI_JOB_FILES = tmp_path / name / "jobs"
    settings.RUHUI_ATTACHMENTS = tmp_path / name / "attachments"


def _check_restored(url: str, numbers: list[str], manifest: dict) -> None:
    with backup.database_alias(backup.parse_url(url)) as alias:
        out = io.StringIO()
        call_command("migrate", check=True, database=alias, stdout=out)  # exits 1 if unapplied
        assert backup.verify(manifest, connections[alias]).ok
        # The masked lookup by ID number: the blind index under the same keys finds the member,
        # whose stored mask and decrypted number are the ones joined.
        for number in numbers:
            found = list(Member.objects.using(alias).filter(person_memberships(id_hash(number))))
            assert len(found) == 1
            assert found[0].id_number_masked == mask_id_number(number)
            assert crypto.decrypt(found[0].id_number_encrypted, context=ID_CONTEXT) == number
        assert not Member.objects.using(alias).filter(person_memberships(id_hash(make_id_number())))


def _drill(world, settings, tmp_path, figure, target_url: str, dump_text=lambda p: b"") -> None:
    numbers = _build_data(world)
    job_bytes = (Path(settings.RUHUI_JOB_FILES) / "roster-backup.csv").read_bytes()
    out = io.StringIO()
    call_command("backup", str(tmp_path / "bk"), stdout=out)
    assert "备份完成" in out.getvalue() and "密钥须单独保管" in out.getvalue()
    manifest = json.loads((tmp_path / "bk" / backup.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["tables"]["members_member"]["rows"] == 5
    assert manifest["tables"]["members_member"]["over"] == ["id", "updated_at"]
    assert {entry["path"].split("/")[0] for entry in manifest["files"]["entries"]} == {
        "jobs",
        "attachments",
    }
    assert (tmp_path / "bk").stat().st_mode & 0o777 == 0o700
    _assert_no_keys(tmp_path / "bk", dump_text(tmp_path / "bk" / backup.PG_DUMP_FILE))

    _point_files_at(settings, tmp_path, "restored")  # empty file stores, as on a new machine
    out = io.StringIO()
    started = time.monotonic()
    call_command("restore", str(tmp_path / "bk"), database=target_url, stdout=out)
    rto = time.monotonic() - started
    assert "核对通过" in out.getvalue()
    assert (Path(settings.RUHUI_JOB_FILES) / "roster-backup.csv").read_bytes() == job_bytes
    assert len(list(Path(settings.RUHUI_ATTACHMENTS).iterdir())) == 1
    _check_restored(target_url, numbers, manifest)
    summary = backup.summary_of(manifest)
    figure(
        "backup/restore",
        f"{connection.vendor}: {summary.tables} tables, {summary.rows} rows, "
        f"restore (RTO) {rto:.1f} s",
    )


def test_drill_sqlite(world, settings, tmp_path, figure):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill; the PostgreSQL one is test_drill_postgres")
    target = tmp_path / "restored.sqlite3"
    _drill(world, settings, tmp_path, figure, f"sqlite:///{target}")


@pytest.fixture
def scratch_database():
    """An empty database with a unique name on the test server, dropped at the end."""
    name = f"ruhui_drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_drill_postgres(world, settings, tmp_path, figure, request):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_dump / pg_restore)")
    url = request.getfixturevalue("scratch_database")

    def dump_text(path: Path) -> bytes:  # the custom format is compressed: read it as SQL
        tool = backup.find_tool("pg_restore")
        command = [tool, "-f", "-", str(path)]
        return subprocess.run(command, capture_output=True, check=True).stdout  # noqa: S603

    _drill(world, settings, tmp_path, figure, url, dump_text)
    # The scratch database now holds the restore: a second restore into it is refused.
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(tmp_path / "bk"), database=url, force=True)


def test_refusals(world, settings, tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="已存在且不为空"):
        call_command("backup", str(occupied))
    with pytest.raises(CommandError, match=r"没有 manifest\.json"):
        call_command("restore", str(occupied), database="sqlite:////tmp/x.sqlite3")

    join(world.county_admin, world.county_trade)
    call_command("backup", str(tmp_path / "bk"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="数据库类型不受支持"):
        call_command("restore", str(tmp_path / "bk"), database="mysql://u@h/db")
    # Files stores not empty (this test's own): refused without --force, before any write.
    other = "postgres://u@h/db" if connection.vendor == "sqlite" else "sqlite:////tmp/x.sqlite3"
    with pytest.raises(CommandError, match="请恢复到同类数据库"):
        call_command("restore", str(tmp_path / "bk"), database=other)
    if connection.vendor == "sqlite":
        live = tmp_path / "live.sqlite3"
        call_command("restore", str(tmp_path / "bk"), database=f"sqlite:///{live}", force=True)
        _point_files_at(settings, tmp_path, "empty")
        with pytest.raises(CommandError, match="不是空的"):  # a database with tables
            call_command("restore", str(tmp_path / "bk"), database=f"sqlite:///{live}")
    else:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        _point_files_at(settings, tmp_path, "empty")
        with pytest.raises(CommandError, match="不是空的"):  # the running database itself
            call_command("restore", str(tmp_path / "bk"), database=url)
    _point_files_at(settings, tmp_path, "empty2")
    Path(settings.RUHUI_ATTACHMENTS).mkdir(parents=True)
    (Path(settings.RUHUI_ATTACHMENTS) / "keep.png").write_bytes(b"x")
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    target = fresh if connection.vendor == "sqlite" else "postgres://u@127.0.0.1:1/none"
    with pytest.raises(CommandError, match=r"RUHUI_ATTACHMENTS.*--force"):
        call_command("restore", str(tmp_path / "bk"), database=target)
    assert not (tmp_path / "fresh.sqlite3").exists()
    # A dump altered after the backup is refused by its sha256.
    dump = (
        tmp_path
        / "bk"
        / json.loads((tmp_path / "bk" / "manifest.json").read_text())["database"]["file"]
    )
    dump.write_bytes(dump.read_bytes() + b"\0")
    with pytest.raises(CommandError, match="备份已损坏或被改动"):
        call_command("restore", str(tmp_path / "bk"), database=target, force=True)


def test_mismatch_exits_non_zero(world, settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the verification path is the same on PostgreSQL (test_drill_postgres)")
    join(world.county_admin, world.county_trade)
    call_command("backup", str(tmp_path / "bk"), stdout=io.StringIO())
    path = tmp_path / "bk" / backup.MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["tables"]["members_member"]["rows"] += 1
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    _point_files_at(settings, tmp_path, "restored")
    err = io.StringIO()
    with pytest.raises(CommandError, match="核对不符：1 处"):
        call_command(
            "restore",
            str(tmp_path / "bk"),
            database=f"sqlite:///{tmp_path / 'r.sqlite3'}",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "表 members_member：行数应为 2，实为 1" in err.getvalue()
