"""Hostile-file checks for roster uploads, run before any parser opens the file (IMP-1..3).

`check_upload(path, original_name)` returns the kind ('xlsx', 'xls' or 'csv') or raises
`FileRejected` with a Chinese message that says what is wrong and how to fix it. It reads at most
the file's head, the ZIP central directory, the OLE2 directory, or (for CSV) one sequential pass;
for a ZIP it also inflates every entry once, counting and discarding the output (no file is
written and nothing is kept in memory).

Checks, in order:
1. size: above ``settings.RUHUI_IMPORT_MAX_BYTES`` (default 200 MB) or empty → refused;
2. extension of the name the user gave: .xlsx, .xls, .csv only; macro workbooks (.xlsm, .xltm,
   .xlam, .xla) get 「含宏的文件不能导入，请另存为 .xlsx」;
3. content by magic bytes, which must agree with the extension. A refusal names what the file
   really is (HTML exported by another system, an old .xls renamed .xlsx, a Word file, a
   program …) because that tells the user what to do;
4. xlsx (a ZIP): the End of Central Directory record first (so a ZIP claiming millions of entries
   is refused before Python builds a list of them), then the central directory: at most
   ``RUHUI_IMPORT_MAX_ZIP_ENTRIES`` entries (10,000), at most ``RUHUI_IMPORT_MAX_UNCOMPRESSED``
   bytes declared uncompressed in total (2 GiB), a compression ratio of at most
   ``RUHUI_IMPORT_MAX_ZIP_RATIO`` (200) per entry above 1 MiB and overall above 10 MiB; it must
   hold ``[Content_Types].xml`` and ``xl/workbook.xml``; VBA (``vbaProject.bin``), Excel 4.0
   macro sheets (``xl/macrosheets/``), external workbook links (``xl/externalLinks/``) and
   encrypted entries are refused. Then the sizes are measured, not trusted
   (`check_zip_inflation`): every entry is inflated from its local header as a reader would
   inflate it, the output counted and thrown away, and reading stops at once when an entry
   inflates past the size the directory declares for it (a ZIP that lies about its sizes),
   past ``RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE`` (1.5 GiB), past the total limit or past the ratio
   limit (measured on the bytes read so far, with the same exemptions); entries that overlap
   or use a compression method other than stored or deflate (the only two OOXML allows) are
   refused too. Memory stays flat (1 MiB of output at a time); a 100,000-row roster (54 MB of
   sheet XML) costs about 0.1 s;
5. xls (an OLE2 compound file): the directory is walked (bounded) for the stream names; a VBA
   storage (``_VBA_PROJECT_CUR``, ``Macros``) is refused, an encrypted OOXML package
   (``EncryptedPackage``: a password-protected .xlsx) is refused with the password message, and
   a compound file without a ``Workbook``/``Book`` stream (a Word or PowerPoint file) too. If the
   directory cannot be walked, the first 8 MiB and the last 1 MiB are searched for the UTF-16LE
   names instead and the file goes on to the reader, which reports a damaged file itself;
6. csv: no NUL bytes anywhere (UTF-16 "Unicode text" files get their own message), and the whole
   file must decode as UTF-8 (with or without BOM) or else GB18030 (a superset of GBK and
   GB2312: what Excel and WPS write for 「CSV（逗号分隔）」 on Chinese Windows). See
   `csv_encoding`.

What a reader then does with a file these checks passed is bounded too: `readers` stops at
``RUHUI_IMPORT_MAX_ROWS`` rows or ``RUHUI_IMPORT_MAX_CELLS`` cells, and a job stores at most
``RUHUI_IMPORT_MAX_ERRORS_STORED`` error lines (`tabular.report.summary_capped`).
"""

from __future__ import annotations

import codecs
import struct
import zipfile
import zlib
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

ALLOWED_EXTENSIONS = (".xlsx", ".xls", ".csv")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xla")

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
DEFAULT_MAX_ZIP_ENTRIES = 10_000
DEFAULT_MAX_ZIP_RATIO = 200
DEFAULT_MAX_ZIP_ENTRY_SIZE = 1536 * 1024 * 1024
#: Entries (and totals) smaller than these are not ratio-checked: small XML parts such as
#: styles compress very well and cannot hurt.
RATIO_MIN_ENTRY = 1024 * 1024
RATIO_MIN_TOTAL = 10 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 1024 * 1024
#: The inflation guard reads this much compressed input at a time and lets zlib produce at most
#: INFLATE_OUTPUT bytes per call, which it counts and drops: memory stays flat whatever the file.
INFLATE_INPUT = 256 * 1024
INFLATE_OUTPUT = 1024 * 1024
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature … file name length, extra field length

MSG_TOO_LARGE = "文件大小为 {size}，超过了 {limit} 的上限：请把花名册拆成几个较小的文件分别导入。"
MSG_EMPTY = "文件是空的（0 字节）：请确认选择了正确的文件。"
MSG_EXTENSION = (
    "不支持{ext}文件：只能导入 .xlsx、.xls 或 .csv 文件。请在 Excel 或 WPS 中用"
    "「文件 → 另存为」保存为 Excel 工作簿（.xlsx）后再导入。"
)
MSG_MACRO = (
    "含宏的文件不能导入，请另存为 .xlsx：在 Excel 或 WPS 中选择「文件 → 另存为 → "
    "Excel 工作簿（*.xlsx）」，保存后再导入。"
)
MSG_MISMATCH = (
    "文件扩展名是 {ext}，内容却是{what}，系统无法读取：请在 Excel 或 WPS 中打开原始文件，"
    "用「文件 → 另存为」保存为 Excel 工作簿（.xlsx）后再导入。"
)
MSG_ENCRYPTED = (
    "文件设置了打开密码，系统无法读取：请在 Excel 或 WPS 中打开文件，取消密码"
    "（Excel：「文件 → 信息 → 保护工作簿 → 用密码进行加密」，清空密码）后另存为 .xlsx 再导入。"
)
MSG_CORRUPT = (
    "文件已损坏或不完整，无法读取：请在 Excel 或 WPS 中打开确认内容完整，另存为 .xlsx 后再导入。"
)
MSG_BOMB = (
    "文件结构异常（{reason}），可能是恶意构造的压缩文件，已拒绝导入：请在 Excel 或 WPS 中"
    "打开原表，另存为新的 .xlsx 后再导入。"
)
MSG_ZIP_SIZE_LIE = (
    "文件结构异常（内部文件「{name}」记录的解压后大小是 {declared}，实际内容超过了这个大小），"
    "是被篡改或恶意构造的压缩文件，已拒绝导入：请在 Excel 或 WPS 中打开原表，另存为新的 .xlsx "
    "后再导入。"
)
MSG_EXTERNAL_LINKS = (
    "文件含有指向其他工作簿的外部链接，不能导入：请在 Excel 中选择「数据 → 编辑链接 → "
    "断开链接」（WPS：「数据 → 编辑链接」），另存为 .xlsx 后再导入。"
)
MSG_CSV_NUL = (
    "CSV 文件中含有空字符（NUL），不是正常的文本文件：请在 Excel 或 WPS 中打开原表，"
    "另存为「CSV UTF-8（逗号分隔）」或 Excel 工作簿（.xlsx）后再导入。"
)
MSG_CSV_UTF16 = (
    "CSV 文件是 UTF-16（「Unicode 文本」）编码，系统不能读取：请另存为"
    "「CSV UTF-8（逗号分隔）」或 Excel 工作簿（.xlsx）后再导入。"
)
MSG_CSV_ENCODING = (
    "CSV 文件的文字编码无法识别（既不是 UTF-8，也不是 GBK/GB18030），导入会出现乱码：请在"
    " Excel 或 WPS 中另存为「CSV UTF-8（逗号分隔）」或 Excel 工作簿（.xlsx）后再导入。"
)


class FileRejected(Exception):
    """A file (or its layout) the importer will not read; ``message`` is shown to the user."""

    def __init__(self, message: str, code: str = "rejected") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return self.__class__, (self.message, self.code)


def setting_or_default(name: str, default: int) -> int:
    """A limit from Django settings at call time; the default when settings are not set up."""
    from django.conf import settings

    if not settings.configured:
        return default
    return int(getattr(settings, name, default))


def _human(size: int) -> str:
    """Bytes as a short figure: 512 字节, 1.5 KB, 200 MB, 2 GB."""
    if size < 1024:
        return f"{size} 字节"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return (
                f"{value:.0f} {unit}"
                if value >= 100 or value == int(value)
                else f"{value:.1f} {unit}"
            )
    return f"{size} 字节"  # pragma: no cover


def extension_of(name: str) -> str:
    """The lower-case extension of a user-given file name ('' when it has none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".")
    if "." not in base:
        return ""
    return "." + base.rsplit(".", 1)[-1].lower()


def check_upload(path: Path | str, original_name: str) -> str:
    """Check an uploaded roster file; return 'xlsx', 'xls' or 'csv', or raise FileRejected."""
    path = Path(path)
    size = path.stat().st_size
    limit = setting_or_default("RUHUI_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if size > limit:
        raise FileRejected(MSG_TOO_LARGE.format(size=_human(size), limit=_human(limit)), "size")
    if size == 0:
        raise FileRejected(MSG_EMPTY, "empty")
    ext = extension_of(original_name)
    if ext in MACRO_EXTENSIONS:
        raise FileRejected(MSG_MACRO, "macro")
    if ext not in ALLOWED_EXTENSIONS:
        shown = f"「{ext}」" if ext else "没有扩展名的"
        raise FileRejected(MSG_EXTENSION.format(ext=shown), "extension")
    with path.open("rb") as handle:
        head = handle.read(512)
    if ext == ".xlsx":
        _check_xlsx(path, head)
        return "xlsx"
    if ext == ".xls":
        _check_xls(path, head)
        return "xls"
    _check_csv(path, head)
    return "csv"


# --- what is this file really? -------------------------------------------------------------

_MAGIC_NAMES = (
    (b"%PDF", "PDF 文件"),
    (b"MZ", "可执行程序（.exe）"),
    (b"\x7fELF", "可执行程序"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"{\\rtf", "RTF 文档"),
)


def _describe_text(head: bytes) -> str:
    """What a non-binary head looks like: HTML, an XML spreadsheet, a text/CSV file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 文本文件"
    if text.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head.lower():
            return "「XML 电子表格 2003」文件"
        if b"<html" in text or b"<!doctype html" in text or b"<table" in text:
            return "网页（HTML）文件（常见于其他系统导出的“Excel”）"
        return "XML 或网页文件"
    return "文本文件（可能是 CSV）"


def describe_content(head: bytes) -> str:
    """A short Chinese description of what the first bytes say the file is."""
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "压缩包（.zip）"
    if head.startswith(OLE2_MAGIC):
        return "旧版 Office 文件"
    for magic, name in _MAGIC_NAMES:
        if head.startswith(magic):
            return name
    if b"\x00" in head[:512]:
        return "二进制文件"
    return _describe_text(head)


# --- xlsx ----------------------------------------------------------------------------------


def _eocd(path: Path, size: int) -> tuple[int, int]:
    """(entry count, central directory size) from the End of Central Directory record."""
    tail_size = min(size, 22 + 65535 + 20)
    with path.open("rb") as handle:
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        pos = tail.rfind(EMPTY_ZIP_MAGIC)
        if pos < 0 or len(tail) - pos < 22:
            raise FileRejected(MSG_CORRUPT, "corrupt")
        _sig, _disk, _cd_disk, _here, entries, cd_size, _cd_offset, _comment = struct.unpack(
            "<4s4H2LH", tail[pos : pos + 22]
        )
        if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
            # ZIP64: the locator sits just before the EOCD and points at the ZIP64 record.
            locator = tail[pos - 20 : pos] if pos >= 20 else b""
            if not locator.startswith(b"PK\x06\x07"):
                raise FileRejected(MSG_CORRUPT, "corrupt")
            (record_offset,) = struct.unpack("<Q", locator[8:16])
            if record_offset > size - 56:
                raise FileRejected(MSG_CORRUPT, "corrupt")
            handle.seek(record_offset)
            record = handle.read(56)
            if not record.startswith(b"PK\x06\x06"):
                raise FileRejected(MSG_CORRUPT, "corrupt")
            entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def _zip_entries(path: Path, size: int) -> tuple[list[zipfile.ZipInfo], int]:
    """The central directory's entries and where it starts, once their count is checked (the
    EOCD record first, so a ZIP claiming millions of entries is refused before they are listed)."""
    max_entries = setting_or_default("RUHUI_IMPORT_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES)
    entries, cd_size = _eocd(path, size)
    if entries > max_entries or cd_size > max_entries * 1024:
        raise FileRejected(
            MSG_BOMB.format(reason=f"包含 {entries:,} 个内部文件，上限为 {max_entries:,} 个"),
            "zip_entries",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos, directory_start = archive.infolist(), archive.start_dir
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRejected(MSG_CORRUPT, "corrupt") from None
    if len(infos) > max_entries:
        raise FileRejected(
            MSG_BOMB.format(reason=f"包含 {len(infos):,} 个内部文件，上限为 {max_entries:,} 个"),
            "zip_entries",
        )
    return infos, directory_start


def _check_xlsx(path: Path, head: bytes) -> None:
    if not head.startswith(ZIP_MAGIC):
        if head.startswith(OLE2_MAGIC):
            names = _ole_names_or_none(path)
            if names is not None and _is_encrypted_ooxml(names):
                raise FileRejected(MSG_ENCRYPTED, "encrypted")
            what = _describe_ole(names) if names is not None else "旧版 Office 文件"
            raise FileRejected(MSG_MISMATCH.format(ext=".xlsx", what=what), "mismatch")
        raise FileRejected(
            MSG_MISMATCH.format(ext=".xlsx", what=describe_content(head)), "mismatch"
        )
    infos, directory_start = _zip_entries(path, path.stat().st_size)
    max_total = setting_or_default("RUHUI_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED)
    max_ratio = setting_or_default("RUHUI_IMPORT_MAX_ZIP_RATIO", DEFAULT_MAX_ZIP_RATIO)
    total = compressed = 0
    names = set()
    for info in infos:
        name = info.filename
        lower = name.lower()
        names.add(lower)
        if lower.endswith("vbaproject.bin") or lower.startswith("xl/macrosheets/"):
            raise FileRejected(MSG_MACRO, "macro")
        if lower.startswith("xl/externallinks/"):
            raise FileRejected(MSG_EXTERNAL_LINKS, "external_links")
        if info.flag_bits & 0x1:
            raise FileRejected(MSG_ENCRYPTED, "encrypted")
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > RATIO_MIN_ENTRY and info.file_size > max_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise FileRejected(
                MSG_BOMB.format(reason=f"内部文件压缩比达 {ratio:,}:1，上限为 {max_ratio}:1"),
                "zip_ratio",
            )
    if total > max_total:
        raise FileRejected(
            MSG_BOMB.format(reason=f"解压后共 {_human(total)}，上限为 {_human(max_total)}"),
            "zip_size",
        )
    if total > RATIO_MIN_TOTAL and total > max_ratio * max(compressed, 1):
        ratio = total // max(compressed, 1)
        raise FileRejected(
            MSG_BOMB.format(reason=f"整体压缩比达 {ratio:,}:1，上限为 {max_ratio}:1"), "zip_ratio"
        )
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(MSG_MISMATCH.format(ext=".xlsx", what=_describe_zip(names)), "mismatch")
    _inflate_entries(path, infos, directory_start)


# --- measured, not declared: the inflation guard ------------------------------------------


class ZipInflation(NamedTuple):
    """What `check_zip_inflation` measured: entries, compressed bytes read, bytes inflated."""

    entries: int
    compressed: int
    inflated: int

    @property
    def ratio(self) -> float:
        return self.inflated / max(self.compressed, 1)


def check_zip_inflation(path: Path | str) -> ZipInflation:
    """Inflate every entry of a ZIP (xlsx now; docx and xlsx attachments later) as a reader
    would, counting the output and dropping it, and raise FileRejected as soon as an entry
    inflates past the size the central directory declares for it, past
    RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE, past RUHUI_IMPORT_MAX_UNCOMPRESSED in total, or past
    RUHUI_IMPORT_MAX_ZIP_RATIO (entries above 1 MiB, the whole above 10 MiB). Declared sizes
    only say when to stop; data starts where the local header says and ends where deflate does.
    Messages advise saving a new .xlsx; another caller may re-word them by ``code``."""
    path = Path(path)
    with path.open("rb") as handle:
        if handle.read(4) != ZIP_MAGIC:
            raise FileRejected(MSG_CORRUPT, "corrupt")
    infos, directory_start = _zip_entries(path, path.stat().st_size)
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRejected(MSG_ENCRYPTED, "encrypted")
    return _inflate_entries(path, infos, directory_start)


class _Limits(NamedTuple):
    entry: int
    total: int
    ratio: int


def _shown(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "…"


def _inflate_entries(
    path: Path, infos: list[zipfile.ZipInfo], directory_start: int
) -> ZipInflation:
    limits = _Limits(
        setting_or_default("RUHUI_IMPORT_MAX_ZIP_ENTRY_SIZE", DEFAULT_MAX_ZIP_ENTRY_SIZE),
        setting_or_default("RUHUI_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED),
        setting_or_default("RUHUI_IMPORT_MAX_ZIP_RATIO", DEFAULT_MAX_ZIP_RATIO),
    )
    ordered = sorted(infos, key=attrgetter("header_offset"))
    # An entry's data must end before the next local header (or the central directory):
    # entries that share or overlap their data are a known way to multiply a bomb.
    ends = [info.header_offset for info in ordered[1:]] + [directory_start]
    compressed = inflated = 0
    with path.open("rb") as handle:
        for info, end in zip(ordered, ends, strict=True):
            handle.seek(info.header_offset)
            start = _data_start(handle, info)
            if start > end:
                raise FileRejected(MSG_BOMB.format(reason="内部文件相互重叠"), "zip_overlap")
            if info.compress_type == zipfile.ZIP_STORED:
                used = size = _stored_size(info, start, end)
            else:
                used, size = _inflate_one(handle, info, start, end, inflated, limits)
            compressed += used
            inflated += size
    if inflated > RATIO_MIN_TOTAL and inflated > limits.ratio * max(compressed, 1):
        ratio = inflated // max(compressed, 1)
        raise FileRejected(
            MSG_BOMB.format(reason=f"实际整体压缩比达 {ratio:,}:1，上限为 {limits.ratio}:1"),
            "zip_ratio",
        )
    return ZipInflation(len(ordered), compressed, inflated)


def _data_start(handle, info: zipfile.ZipInfo) -> int:
    """Where an entry's data begins: after its local header, whose name and extra field
    lengths may differ from the central directory's."""
    raw = handle.read(LOCAL_HEADER.size)
    if len(raw) < LOCAL_HEADER.size:
        raise FileRejected(MSG_CORRUPT, "corrupt")
    signature, _version, _flags, method, _time, _date, _crc, _csize, _usize, name_length, extra = (
        LOCAL_HEADER.unpack(raw)
    )
    if signature != ZIP_MAGIC or method != info.compress_type:
        raise FileRejected(MSG_CORRUPT, "corrupt")
    return info.header_offset + LOCAL_HEADER.size + name_length + extra


def _stored_size(info: zipfile.ZipInfo, start: int, end: int) -> int:
    """A stored entry's real size: the bytes a reader copies, which must lie before ``end``."""
    if start + info.compress_size > end:
        raise FileRejected(MSG_BOMB.format(reason="内部文件相互重叠"), "zip_overlap")
    if info.compress_size > info.file_size:
        raise FileRejected(_lie(info), "zip_size_lie")
    return info.compress_size


def _lie(info: zipfile.ZipInfo) -> str:
    return MSG_ZIP_SIZE_LIE.format(name=_shown(info.filename), declared=_human(info.file_size))


def _inflate_one(
    handle, info: zipfile.ZipInfo, start: int, end: int, before: int, limits: _Limits
) -> tuple[int, int]:
    """(compressed bytes used, bytes inflated) of one deflate entry, read from ``start`` until
    the deflate stream ends (never past ``end``); stops at the first limit it crosses."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        reason = (
            f"内部文件「{_shown(info.filename)}」的压缩方式（{info.compress_type}）不是 xlsx 使用的"
        )
        raise FileRejected(MSG_BOMB.format(reason=reason), "zip_method")
    inflater = zlib.decompressobj(-15)
    handle.seek(start)
    fed = produced = 0
    while not inflater.eof:
        data = handle.read(min(INFLATE_INPUT, end - start - fed))
        fed += len(data)
        while True:
            try:
                produced += len(inflater.decompress(data, INFLATE_OUTPUT))
            except zlib.error:
                raise FileRejected(MSG_CORRUPT, "corrupt") from None
            data = inflater.unconsumed_tail
            _check_inflated(info, produced, fed - len(data), before, limits)
            if not data or inflater.eof:
                break
        if fed >= end - start and not inflater.eof:
            # All input given; zlib may still hold output (max_length) or the stream is cut.
            tail = inflater.decompress(b"", INFLATE_OUTPUT) if fed else b""
            produced += len(tail)
            _check_inflated(info, produced, fed, before, limits)
            if not tail and not inflater.eof:
                raise FileRejected(MSG_CORRUPT, "corrupt")
    used = fed - len(inflater.unused_data)
    if used > info.compress_size:
        raise FileRejected(_lie(info), "zip_size_lie")
    return used, produced


def _check_inflated(
    info: zipfile.ZipInfo, produced: int, used: int, before: int, limits: _Limits
) -> None:
    if produced > info.file_size:
        raise FileRejected(_lie(info), "zip_size_lie")
    if produced > limits.entry:
        reason = (
            f"内部文件「{_shown(info.filename)}」解压后超过 {_human(limits.entry)}，"
            f"单个内部文件的上限为 {_human(limits.entry)}"
        )
        raise FileRejected(MSG_BOMB.format(reason=reason), "zip_entry_size")
    if before + produced > limits.total:
        reason = f"实际解压后超过 {_human(limits.total)}，上限为 {_human(limits.total)}"
        raise FileRejected(MSG_BOMB.format(reason=reason), "zip_size")
    if produced > RATIO_MIN_ENTRY and produced > limits.ratio * max(used, 1):
        ratio = produced // max(used, 1)
        reason = f"内部文件实际压缩比达 {ratio:,}:1，上限为 {limits.ratio}:1"
        raise FileRejected(MSG_BOMB.format(reason=reason), "zip_ratio")


def _describe_zip(names: set[str]) -> str:
    """What a ZIP that is not an xlsx workbook holds (lower-case entry names)."""
    if "word/document.xml" in names:
        return "Word 文档（.docx）"
    if "ppt/presentation.xml" in names:
        return "PowerPoint 演示文稿（.pptx）"
    if "xl/workbook.bin" in names:
        return "Excel 二进制工作簿（.xlsb）"
    if "content.xml" in names and "mimetype" in names:
        return "OpenDocument 文件（如 .ods）"
    return "普通压缩包（.zip）"


# --- xls (OLE2 compound file) -------------------------------------------------------------

_FREE_SECTOR = 0xFFFFFFFA  # sector numbers at or above this are markers (end of chain, free …)
MAX_DIRECTORY_SECTORS = 10_000
MAX_DIFAT_SECTORS = 10_000
VBA_STORAGES = frozenset({"_vba_project_cur", "macros", "_vba_project"})
ENCRYPTION_STREAMS = frozenset({"encryptedpackage", "encryptioninfo"})


class _OleError(Exception):
    pass


def ole_entry_names(path: Path) -> list[str]:
    """The names of every storage and stream in an OLE2 compound file (bounded walk).

    Reads the header, the DIFAT, the FAT sectors the directory chain needs and the directory
    sectors: a few KB for a normal .xls. Raises _OleError on a malformed or looping structure.
    """
    with path.open("rb") as handle:
        header = handle.read(512)
        if len(header) < 512 or not header.startswith(OLE2_MAGIC):
            raise _OleError("header")
        (sector_shift,) = struct.unpack_from("<H", header, 0x1E)
        if sector_shift not in (9, 12):
            raise _OleError("sector size")
        sector_size = 1 << sector_shift
        per_sector = sector_size // 4
        num_fat, dir_start = struct.unpack_from("<2L", header, 0x2C)
        difat_start, num_difat = struct.unpack_from("<2L", header, 0x44)
        difat = list(struct.unpack_from("<109L", header, 0x4C))
        sector, seen = difat_start, 0
        while sector < _FREE_SECTOR and seen < min(num_difat, MAX_DIFAT_SECTORS):
            values = _read_sector(handle, sector, sector_size, per_sector)
            difat.extend(values[:-1])
            sector = values[-1]
            seen += 1
        fat_sectors = [s for s in difat[:num_fat] if s < _FREE_SECTOR]
        fat_cache: dict[int, tuple[int, ...]] = {}

        def next_sector(current: int) -> int:
            index, offset = divmod(current, per_sector)
            if index >= len(fat_sectors):
                raise _OleError("fat")
            block = fat_cache.get(index)
            if block is None:
                block = _read_sector(handle, fat_sectors[index], sector_size, per_sector)
                fat_cache[index] = block
            return block[offset]

        names: list[str] = []
        visited: set[int] = set()
        sector = dir_start
        while sector < _FREE_SECTOR:
            if sector in visited or len(visited) >= MAX_DIRECTORY_SECTORS:
                raise _OleError("directory chain")
            visited.add(sector)
            handle.seek((sector + 1) * sector_size)
            data = handle.read(sector_size)
            if len(data) < sector_size:
                raise _OleError("short directory")
            for start in range(0, sector_size, 128):
                (name_length,) = struct.unpack_from("<H", data, start + 0x40)
                entry_type = data[start + 0x42]
                if entry_type in (1, 2, 5) and 2 <= name_length <= 64:
                    raw = data[start : start + name_length - 2]
                    names.append(raw.decode("utf-16-le", "replace"))
            sector = next_sector(sector)
    return names


def _read_sector(handle, sector: int, sector_size: int, per_sector: int) -> tuple[int, ...]:
    handle.seek((sector + 1) * sector_size)
    data = handle.read(sector_size)
    if len(data) < sector_size:
        raise _OleError("short sector")
    return struct.unpack(f"<{per_sector}L", data)


def _ole_names_or_none(path: Path) -> list[str] | None:
    try:
        return ole_entry_names(path)
    except (_OleError, struct.error, OSError):
        return None


def _is_encrypted_ooxml(names: list[str]) -> bool:
    return any(name.lower() in ENCRYPTION_STREAMS for name in names)


def _describe_ole(names: list[str]) -> str:
    lower = {name.lower() for name in names}
    if "worddocument" in lower:
        return "Word 97-2003 文档（.doc）"
    if "powerpoint document" in lower:
        return "PowerPoint 97-2003 演示文稿（.ppt）"
    if "workbook" in lower or "book" in lower:
        return "旧版 Excel 97-2003 工作簿（.xls）"
    return "其他旧版 Office 文件"


_OLE_MARKERS = {
    "_VBA_PROJECT_CUR": "macro",
    "Macros": "macro",
    "EncryptedPackage": "encrypted",
    "EncryptionInfo": "encrypted",
}


def _search_ole_markers(path: Path, size: int) -> set[str]:
    """Fallback when the directory cannot be walked: look for the UTF-16LE names of a VBA
    storage or an encrypted package in the first 8 MiB and the last 1 MiB."""
    with path.open("rb") as handle:
        blocks = [handle.read(8 * CHUNK)]
        if size > 8 * CHUNK:
            handle.seek(max(8 * CHUNK, size - CHUNK))
            blocks.append(handle.read(CHUNK))
    return {
        kind
        for name, kind in _OLE_MARKERS.items()
        for block in blocks
        if name.encode("utf-16-le") in block
    }


def _check_xls(path: Path, head: bytes) -> None:
    if not head.startswith(OLE2_MAGIC):
        if head.startswith(ZIP_MAGIC):
            what = "新版 Excel 工作簿（.xlsx）"
            raise FileRejected(MSG_MISMATCH.format(ext=".xls", what=what), "mismatch")
        raise FileRejected(MSG_MISMATCH.format(ext=".xls", what=describe_content(head)), "mismatch")
    names = _ole_names_or_none(path)
    if names is None:
        found = _search_ole_markers(path, path.stat().st_size)
        if "encrypted" in found:
            raise FileRejected(MSG_ENCRYPTED, "encrypted")
        if "macro" in found:
            raise FileRejected(MSG_MACRO, "macro")
        return  # the reader reports a damaged file if calamine cannot read it either
    lower = {name.lower() for name in names}
    if lower & ENCRYPTION_STREAMS:
        raise FileRejected(MSG_ENCRYPTED, "encrypted")
    if lower & VBA_STORAGES:
        raise FileRejected(MSG_MACRO, "macro")
    if "workbook" not in lower and "book" not in lower:
        raise FileRejected(MSG_MISMATCH.format(ext=".xls", what=_describe_ole(names)), "mismatch")


# --- csv ----------------------------------------------------------------------------------


def _looks_utf16(data: bytes) -> bool:
    """True for UTF-16 text: a BOM, or NULs in every other byte of mostly-ASCII text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even, odd) > half * 0.4 and min(even, odd) < half * 0.05


def csv_encoding(path: Path | str) -> str:
    """The encoding the whole file decodes in: 'utf-8-sig', 'utf-8' or 'gb18030'.

    Decision: decide once, on the whole file, with strict incremental decoders (UTF-8 first:
    plain ASCII is also UTF-8; GB18030 only if UTF-8 fails anywhere), so a reader never meets a
    UnicodeDecodeError half-way through a file whose first MB happened to be ASCII. One pass
    costs well under a second for the 200 MB limit. Raises FileRejected (NUL bytes, UTF-16,
    undecodable).
    """
    path = Path(path)
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        if _looks_utf16(first):
            raise FileRejected(MSG_CSV_UTF16, "csv_utf16")
        bom = first.startswith(codecs.BOM_UTF8)
        candidates = ["utf-8-sig" if bom else "utf-8"] + ([] if bom else ["gb18030"])
        for encoding in candidates:
            decoder = codecs.getincrementaldecoder(encoding)("strict")
            handle.seek(0)
            try:
                while chunk := handle.read(CHUNK):
                    if b"\x00" in chunk:
                        raise FileRejected(MSG_CSV_NUL, "csv_nul")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise FileRejected(MSG_CSV_ENCODING, "csv_encoding")


def _check_csv(path: Path, head: bytes) -> None:
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        what = "Excel 工作簿（.xlsx）或压缩包"
        raise FileRejected(MSG_MISMATCH.format(ext=".csv", what=what), "mismatch")
    if head.startswith(OLE2_MAGIC):
        what = "旧版 Excel 工作簿（.xls）或其他 Office 文件"
        raise FileRejected(MSG_MISMATCH.format(ext=".csv", what=what), "mismatch")
    for magic, name in _MAGIC_NAMES:
        # "MZ" and "{\rtf" are plain letters: a program also has NUL bytes in its header.
        plain = magic in (b"MZ", b"{\\rtf")
        if head.startswith(magic) and (not plain or b"\x00" in head):
            raise FileRejected(MSG_MISMATCH.format(ext=".csv", what=name), "mismatch")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise FileRejected(MSG_MISMATCH.format(ext=".csv", what=_describe_text(head)), "mismatch")
    csv_encoding(path)
