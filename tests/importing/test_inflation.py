"""Decompression limits measured while inflating, not read from the sizes a ZIP declares
(ruhui.tabular.files.check_zip_inflation, issue 13 item 1): a lying bomb is refused at the
door within seconds and a few MB, through the web upload and the command line, nothing stored."""

import json
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from ruhui.importing.headers import MEMBER_HEADER_ALIASES
from ruhui.jobs.models import Job
from ruhui.members.models import Member
from ruhui.tabular import files
from ruhui.tabular.files import FileRejected, check_upload, check_zip_inflation
from ruhui.tabular.readers import read_table

MB = 1024 * 1024
BOMB_SHEET = 1200 * MB  # the probe's 1.2 GB of sheet XML …
BOMB_DECLARED = 3 * MB  # … declared as 3 MB

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row><c t="inlineStr"><is><t>姓名</t></is></c>'
    '<c t="inlineStr"><is><t>身份证号码</t></is></c></row>'
).encode()
SHEET_ROW = (
    '<row><c t="inlineStr"><is><t>王伟</t></is></c>'
    '<c t="inlineStr"><is><t>11010519491231002X</t></is></c></row>'
).encode()
SHEET_TAIL = b"</sheetData></worksheet>"
SHEET = "xl/worksheets/sheet1.xml"


class Entry:
    """One ZIP entry written by hand: raw deflate pieces (or stored bytes), the real CRC and
    size, and the sizes the local header and the central directory declare."""

    def __init__(self, name, pieces, *, crc, size, method=zipfile.ZIP_DEFLATED, declared=None):
        self.name, self.pieces, self.crc, self.size = name.encode(), pieces, crc, size
        self.method = method
        self.declared = size if declared is None else declared

    @classmethod
    def of(cls, name, data: bytes, **kwargs):
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(
            name,
            [packer.compress(data) + packer.flush()],
            crc=zlib.crc32(data),
            size=len(data),
            **kwargs,
        )


def write_zip(path, entries) -> None:
    """A ZIP whose sizes say what each Entry declares (a lie, if it is told to)."""
    central, offset = [], 0
    with path.open("wb") as out:
        for entry in entries:
            compressed = sum(len(piece) for piece in entry.pieces)
            sizes = (entry.crc, compressed, entry.declared)
            header = struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, entry.method, 0, 33, *sizes, len(entry.name), 0
            )
            out.write(header + entry.name)
            for piece in entry.pieces:
                out.write(piece)
            central.append(
                struct.pack(
                    "<4s6H3L5H2L",
                    b"PK\x01\x02",
                    20,
                    20,
                    0,
                    entry.method,
                    0,
                    33,
                    *sizes,
                    len(entry.name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + entry.name
            )
            offset += len(header) + len(entry.name) + compressed
        directory = b"".join(central)
        out.write(directory)
        out.write(
            struct.pack(
                "<4s4H2LH",
                b"PK\x05\x06",
                0,
                0,
                len(central),
                len(central),
                len(directory),
                offset,
                0,
            )
        )


def workbook_parts(tmp_path) -> dict[str, bytes]:
    """The parts of a real workbook (xlsxwriter's), to build bombs around."""
    source = tmp_path / "parts.xlsx"
    workbook = xlsxwriter.Workbook(str(source))
    workbook.add_worksheet("花名册").write_row(0, 0, ["姓名", "身份证号码"])
    workbook.close()
    with zipfile.ZipFile(source) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repeated_sheet(size: int) -> tuple[list[bytes], int, int]:
    """Deflate pieces of a sheet XML of about ``size`` bytes of identical rows, made without
    compressing it all: each 1 MiB block is compressed once by a fresh compressor ending in a
    full flush (self-contained, byte-aligned), so the same bytes stand for every block.
    Returns (pieces, crc, real size)."""
    block = SHEET_ROW * (MB // len(SHEET_ROW))
    count = max(1, (size - len(SHEET_HEAD) - len(SHEET_TAIL)) // len(block))

    def piece(data, mode=zlib.Z_FULL_FLUSH):
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(mode)

    unit = piece(block)
    pieces = [piece(SHEET_HEAD), *([unit] * count), piece(SHEET_TAIL, zlib.Z_FINISH)]
    crc = zlib.crc32(SHEET_HEAD)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(SHEET_TAIL, crc)
    return pieces, crc, len(SHEET_HEAD) + count * len(block) + len(SHEET_TAIL)


def bomb_xlsx(path, parts, *, sheet_size=BOMB_SHEET, declared=BOMB_DECLARED):
    """A real xlsx whose sheet XML is ``sheet_size`` bytes, declared as ``declared`` (in the
    local header and the central directory; the compressed size and the CRC are true)."""
    pieces, crc, size = repeated_sheet(sheet_size)
    entries = [Entry.of(name, data) for name, data in parts.items() if name != SHEET]
    entries.append(Entry(SHEET, pieces, crc=crc, size=size, declared=declared))
    write_zip(path, entries)
    return path


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    return workbook_parts(tmp_path_factory.mktemp("parts"))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory, parts):
    """The probe's file: 1.2 GB of sheet XML in 4.4 MB, declared as 3 MB."""
    return bomb_xlsx(tmp_path_factory.mktemp("bomb") / "名单.xlsx", parts)


def refused(path, name="名单.xlsx", code=None) -> FileRejected:
    started = time.perf_counter()
    with pytest.raises(FileRejected) as caught:
        check_upload(path, name)
    assert time.perf_counter() - started < 5
    error = caught.value
    assert "已拒绝导入" in error.message and "另存为" in error.message
    if code is not None:
        assert error.code == code, error.message
    return error


# --- the lying bomb -----------------------------------------------------------------------


def test_lying_bomb_is_refused_at_once(bomb):
    """The probe's file (accepted until now: the worker then ran 224 s at up to 844 MB)."""
    with zipfile.ZipFile(bomb) as archive:
        sheet = archive.getinfo(SHEET)
    assert bomb.stat().st_size < 6 * MB
    assert sheet.file_size == BOMB_DECLARED  # what the central directory says
    # … and what its deflate stream really holds (inflated here only for the first 64 MB):
    with bomb.open("rb") as handle:
        handle.seek(sheet.header_offset + 30 + len(SHEET))
        inflater = zlib.decompressobj(-15)
        produced = len(inflater.decompress(handle.read(512 * 1024), 64 * MB))
    assert produced == 64 * MB > sheet.file_size
    error = refused(bomb)
    assert error.code in ("zip_ratio", "zip_size_lie")
    assert "上限为 200:1" in error.message or "3 MB" in error.message


def test_lie_alone_stops_it_when_the_ratio_would_pass(bomb, settings):
    """Whatever its ratio, an entry that inflates past its declared size is refused as soon as
    it does (here the ratio limit is out of the way)."""
    settings.RUHUI_IMPORT_MAX_ZIP_RATIO = 1_000_000
    error = refused(bomb, code="zip_size_lie")
    assert "「xl/worksheets/sheet1.xml」" in error.message and "3 MB" in error.message


PEAK_SCRIPT = """
import json, sys, time
import django
django.setup()
from ruhui.tabular.files import FileRejected, check_upload

def peak_mb():  # VmHWM: a child's ru_maxrss starts at its parent's (pytest's) size
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))

before = peak_mb()
started = time.perf_counter()
try:
    check_upload(sys.argv[1], "名单.xlsx")
    outcome = "accepted"
except FileRejected as error:
    outcome = error.code
seconds = time.perf_counter() - started
print(json.dumps({"outcome": outcome, "seconds": seconds, "before": before, "peak": peak_mb()}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM (Linux)")
def test_bomb_refused_in_a_fresh_process_within_5_s_and_300_mb(bomb):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ruhui.settings"}
    done = subprocess.run(  # noqa: S603 (this interpreter, this test's own script)
        [sys.executable, "-c", PEAK_SCRIPT, str(bomb)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] in ("zip_ratio", "zip_size_lie")
    assert result["seconds"] < 5
    assert result["peak"] < 300
    assert result["peak"] - result["before"] < 20  # the check itself: a few MB at most


def test_web_upload_refuses_the_bomb_and_keeps_nothing(
    world, as_user, bomb, job_files, django_capture_on_commit_callbacks
):
    client = as_user(world.county_admin)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("importing:upload"),
            {
                "union": world.county_trade.pk,
                "file": SimpleUploadedFile("名单.xlsx", bomb.read_bytes()),
            },
        )
    assert time.perf_counter() - started < 5
    assert response.status_code == 200
    assert "恶意构造" in response.content.decode()
    assert queued == []
    assert not Job.objects.filter(kind="member_import").exists()
    assert not any(job_files.iterdir())
    assert not Member.objects.exists()


def test_command_line_refuses_the_bomb_before_the_importer_opens_it(
    world, bomb, tmp_path, monkeypatch
):
    def importer_must_not_run(**kwargs):
        raise AssertionError("the importer was given a file the checks should have refused")

    monkeypatch.setattr(
        "ruhui.importing.management.commands.import_members.import_members",
        importer_must_not_run,
    )
    result = tmp_path / "result.xlsx"
    started = time.perf_counter()
    with pytest.raises(CommandError, match="恶意构造"):
        call_command(
            "import_members",
            str(bomb),
            "--union",
            "WG-KD",
            "--dry-run",
            "--result-xlsx",
            str(result),
        )
    assert time.perf_counter() - started < 5
    assert not result.exists()
    assert not Member.objects.exists()


# --- every limit, measured ----------------------------------------------------------------


def test_low_ratio_entry_that_lies_is_refused_as_a_lie(tmp_path, parts):
    """Text that compresses only 2:1 (no ratio limit applies) but is larger than declared."""
    noise = os.urandom(MB).hex().encode()  # 2 MB
    entries = [Entry.of(name, data) for name, data in parts.items() if name != SHEET]
    entries.append(Entry.of(SHEET, noise, declared=MB))
    write_zip(tmp_path / "a.xlsx", entries)
    error = refused(tmp_path / "a.xlsx", code="zip_size_lie")
    assert "1 MB" in error.message


def test_stored_entry_larger_than_declared_is_a_lie(tmp_path, parts):
    entries = [Entry.of(name, data) for name, data in parts.items() if name != SHEET]
    data = SHEET_HEAD + SHEET_TAIL
    entries.append(
        Entry(SHEET, [data], crc=zlib.crc32(data), size=len(data), method=0, declared=10)
    )
    write_zip(tmp_path / "a.xlsx", entries)
    refused(tmp_path / "a.xlsx", code="zip_size_lie")


def test_entries_sharing_their_data_are_refused(tmp_path, parts):
    """The overlapping-entries bomb: two directory records for one local entry."""
    path = tmp_path / "a.xlsx"
    entries = [Entry.of(name, data) for name, data in parts.items()]
    write_zip(path, entries)
    with zipfile.ZipFile(path) as archive:
        start = archive.start_dir
    raw = bytearray(path.read_bytes())
    first = raw.index(b"PK\x01\x02", start)
    second = raw.index(b"PK\x01\x02", first + 4)
    record = bytes(raw[first:second])  # copy the first record under another name
    copy = record[:46] + b"x" * (len(record) - 46)
    count = len(entries) + 1
    eocd = raw.rindex(b"PK\x05\x06")
    directory = bytes(raw[start:eocd]) + copy
    raw[start:] = directory + struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0
    )
    path.write_bytes(bytes(raw))
    refused(path, code="zip_overlap")


def test_compression_method_other_than_deflate_is_refused(tmp_path, parts):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            method = zipfile.ZIP_BZIP2 if name == SHEET else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    assert "压缩方式" in refused(path, code="zip_method").message


def test_per_entry_and_total_limits_are_measured(tmp_path, settings):
    path = legit_xlsx(tmp_path / "a.xlsx", 4000)
    settings.RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE = MB
    error = refused(path, code="zip_entry_size")
    assert "sheet1.xml" in error.message and "1 MB" in error.message
    settings.RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE = files.DEFAULT_MAX_ZIP_ENTRY_SIZE
    settings.RUHUI_IMPORT_MAX_UNCOMPRESSED = MB
    with pytest.raises(FileRejected) as caught:
        check_zip_inflation(path)  # the inflation guard alone (no declared-size check first)
    assert caught.value.code == "zip_size" and "1 MB" in caught.value.message


def test_memory_stays_flat_while_inflating_hundreds_of_mb(tmp_path, parts, settings):
    """An honestly declared 300 MB entry, inflated whole (the ratio limit out of the way):
    the guard holds at most a couple of MB."""
    settings.RUHUI_IMPORT_MAX_ZIP_RATIO = 1_000_000
    path = bomb_xlsx(tmp_path / "a.xlsx", parts, sheet_size=300 * MB, declared=None)
    tracemalloc.start()
    try:
        measured = check_zip_inflation(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert measured.inflated > 300 * MB - MB
    assert peak < 8 * MB


# --- what must still pass -----------------------------------------------------------------


def legit_xlsx(path, count: int):
    """A roster of ``count`` distinct rows, as xlsxwriter writes them."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("花名册")
    sheet.write_row(0, 0, ["序号", "姓名", "身份证号码", "手机号码", "工作单位", "入会时间"])
    for i in range(1, count + 1):
        sheet.write_row(
            i,
            0,
            [
                i,
                f"王{i:06d}",
                f"410402{19600101 + i:08d}{i % 1000:03d}X",
                f"139{i:08d}",
                f"平顶山市第{i % 500}物流有限公司",
                "2019-05-01",
            ],
        )
    workbook.close()
    return path


def test_large_legitimate_xlsx_passes_and_reads_whole(tmp_path):
    path = legit_xlsx(tmp_path / "a.xlsx", 32_000)
    assert check_upload(path, "花名册.xlsx") == "xlsx"
    measured = check_zip_inflation(path)
    assert measured.inflated > files.RATIO_MIN_TOTAL  # the measured-ratio checks applied
    with zipfile.ZipFile(path) as archive:
        assert measured.inflated == sum(info.file_size for info in archive.infolist())
    table = read_table(path, "xlsx", header_aliases=MEMBER_HEADER_ALIASES)
    assert sum(1 for _row in table.rows) == 32_000
