"""Hostile-file checks (ruhui.tabular.files): every refusal is Chinese, says what to do, and
comes within a second, before any parser opens the file."""

import codecs
import io
import pickle
import struct
import time
import zipfile

import pytest
import xlsxwriter

from ruhui.tabular import files
from ruhui.tabular.files import FileRejected, check_upload, csv_encoding, ole_entry_names


def write_xlsx(path, rows=(("姓名", "身份证号码"), ("张三", "11010519491231002X"))):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("花名册")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    workbook.close()
    return path


def write_xls(path, rows=(("姓名", "身份证号码"), ("张三", "11010519491231002X"))):
    """A real BIFF8 .xls, written by xlwt (a test-only dependency)."""
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def ole_file(path, names: list[str]) -> None:
    """A minimal, well-formed OLE2 compound file (v3, 512-byte sectors) whose directory holds
    a root entry and one stream per name: enough for the directory walk."""
    sector = 512
    entries = ["Root Entry", *names]
    dir_sectors = (len(entries) + 3) // 4
    # sector 0: FAT; sectors 1..dir_sectors: the directory chain
    fat = [0xFFFFFFFD] + [i + 2 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[:8] = files.OLE2_MAGIC
    struct.pack_into("<HH", header, 0x18, 0x3E, 3)
    struct.pack_into("<HHH", header, 0x1C, 0xFFFE, 9, 6)
    struct.pack_into("<L", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<L", header, 0x30, 1)  # directory starts at sector 1
    struct.pack_into("<L", header, 0x38, 4096)
    struct.pack_into("<LL", header, 0x3C, 0xFFFFFFFE, 0)
    struct.pack_into("<LL", header, 0x44, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109L", header, 0x4C, *difat)
    directory = bytearray(dir_sectors * sector)
    for index, name in enumerate(entries):
        raw = (name + "\0").encode("utf-16-le")
        start = index * 128
        directory[start : start + len(raw)] = raw
        struct.pack_into("<H", directory, start + 0x40, len(raw))
        directory[start + 0x42] = 5 if index == 0 else 2
    body = struct.pack("<128L", *fat) + bytes(directory)
    path.write_bytes(bytes(header) + body)


def refused(path, name, code=None) -> FileRejected:
    started = time.perf_counter()
    with pytest.raises(FileRejected) as caught:
        check_upload(path, name)
    assert time.perf_counter() - started < 1.0
    error = caught.value
    assert str(error) == error.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message)
    if code is not None:
        assert error.code == code, error.message
    return error


# --- accepted files -----------------------------------------------------------------------


def test_real_xlsx_is_accepted(tmp_path):
    assert check_upload(write_xlsx(tmp_path / "a.bin"), "花名册.xlsx") == "xlsx"


def test_extension_is_case_insensitive_and_taken_from_the_users_name(tmp_path):
    path = write_xlsx(tmp_path / "stored-random-name")
    assert check_upload(path, r"C:\Users\工会\Desktop\花名册.XLSX") == "xlsx"


def test_real_xls_is_accepted(tmp_path):
    path = write_xls(tmp_path / "a.xls")
    assert check_upload(path, "花名册.xls") == "xls"
    assert "Workbook" in ole_entry_names(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_the_three_encodings_is_accepted(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_text("姓名,身份证号码\n张三,11010519491231002X\n", encoding=encoding)
    assert check_upload(path, "a.csv") == "csv"
    assert csv_encoding(path) == encoding


def test_gbk_bytes_after_a_long_ascii_start_are_still_found(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"name,id\n" * 200_000 + "张三,1\n".encode("gbk"))
    assert csv_encoding(path) == "gb18030"


# --- size and extension -------------------------------------------------------------------


def test_oversize_file_is_refused_with_both_sizes(tmp_path, settings):
    settings.RUHUI_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n" * 1000)
    error = refused(path, "a.csv", "size")
    assert "3.9 KB" in error.message and "1000 字节" in error.message
    assert "拆成" in error.message


def test_limit_is_read_at_call_time(tmp_path, settings):
    path = write_xlsx(tmp_path / "a.xlsx")
    settings.RUHUI_IMPORT_MAX_BYTES = path.stat().st_size
    assert check_upload(path, "a.xlsx") == "xlsx"
    settings.RUHUI_IMPORT_MAX_BYTES = path.stat().st_size - 1
    refused(path, "a.xlsx", "size")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"")
    refused(path, "a.xlsx", "empty")


@pytest.mark.parametrize(
    "name", ["名单.et", "名单.ods", "名单.txt", "名单.xlsx.exe", "名单", "名单.pdf"]
)
def test_other_extensions_are_refused_naming_the_allowed_types(tmp_path, name):
    path = write_xlsx(tmp_path / "a")
    error = refused(path, name, "extension")
    assert ".xlsx、.xls 或 .csv" in error.message


@pytest.mark.parametrize("name", ["名单.xlsm", "名单.XLTM", "名单.xlam"])
def test_macro_extensions_are_refused(tmp_path, name):
    error = refused(write_xlsx(tmp_path / "a"), name, "macro")
    assert error.message.startswith("含宏的文件不能导入，请另存为 .xlsx")


# --- content must match -------------------------------------------------------------------


def test_html_renamed_xlsx_is_refused_as_html(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("<html><body><table><tr><td>姓名</td></tr></table></body></html>")
    error = refused(path, "导出.xlsx", "mismatch")
    assert "HTML" in error.message and "另存为" in error.message


def test_html_exported_as_xls_is_refused_as_html(tmp_path):
    path = tmp_path / "a.xls"
    path.write_bytes("\ufeff<!DOCTYPE html><table><tr><td>姓名</td></tr></table>".encode())
    assert "HTML" in refused(path, "导出.xls", "mismatch").message


def test_xml_spreadsheet_2003_is_named(tmp_path):
    path = tmp_path / "a.xls"
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
    )
    assert "XML 电子表格 2003" in refused(path, "a.xls", "mismatch").message


def test_renamed_exe_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(500))
    assert "可执行程序" in refused(path, "a.xlsx", "mismatch").message


def test_plain_zip_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "压缩包" in refused(path, "a.xlsx", "mismatch").message


def test_docx_renamed_xlsx_is_named_as_word(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert "Word" in refused(path, "a.xlsx", "mismatch").message


def test_xls_renamed_xlsx_is_refused_as_old_format(tmp_path):
    path = write_xls(tmp_path / "a.xlsx")
    assert "97-2003" in refused(path, "a.xlsx", "mismatch").message


def test_xlsx_renamed_xls_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "a.xls")
    assert ".xlsx" in refused(path, "a.xls", "mismatch").message


def test_workbook_renamed_csv_is_refused(tmp_path):
    refused(write_xlsx(tmp_path / "a.csv"), "a.csv", "mismatch")
    refused(write_xls(tmp_path / "b.csv"), "b.csv", "mismatch")


def test_truncated_xlsx_is_refused_as_damaged(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx")
    path.write_bytes(path.read_bytes()[:300])
    assert "损坏" in refused(path, "a.xlsx", "corrupt").message


# --- zip bombs ----------------------------------------------------------------------------


def test_zip_bomb_with_one_huge_entry_of_zeros_is_refused_fast(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            block = bytes(1024 * 1024)
            for _ in range(50):
                entry.write(block)
    assert path.stat().st_size < 200_000
    error = refused(path, "bomb.xlsx", "zip_ratio")
    assert "压缩比" in error.message and "200:1" in error.message


def test_zip_with_too_many_entries_is_refused_before_listing_them(tmp_path, settings):
    settings.RUHUI_IMPORT_MAX_ZIP_ENTRIES = 500
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(600):
            archive.writestr(f"xl/media/{index}.bin", b"")
    error = refused(path, "many.xlsx", "zip_entries")
    assert "602" in error.message and "500" in error.message


def test_entry_count_bomb_at_the_default_limit(tmp_path):
    path = tmp_path / "many.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(files.DEFAULT_MAX_ZIP_ENTRIES):
            archive.writestr(f"x/{index}", b"")
    path.write_bytes(buffer.getvalue())
    refused(path, "many.xlsx", "zip_entries")


def test_declared_total_size_limit(tmp_path, settings):
    settings.RUHUI_IMPORT_MAX_UNCOMPRESSED = 1024 * 1024
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"x" * (2 * 1024 * 1024))
    assert "解压后" in refused(path, "big.xlsx", "zip_size").message


def test_vba_project_inside_an_xlsx_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    workbook = xlsxwriter.Workbook(str(tmp_path / "src.xlsx"))
    workbook.add_worksheet().write(0, 0, "姓名")
    workbook.close()
    with (
        zipfile.ZipFile(tmp_path / "src.xlsx") as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    error = refused(path, "a.xlsx", "macro")
    assert error.message.startswith("含宏的文件不能导入，请另存为 .xlsx")


def test_excel4_macro_sheet_is_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>")
    refused(path, "a.xlsx", "macro")


def test_external_links_are_refused(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    assert "外部链接" in refused(path, "a.xlsx", "external_links").message


# --- xls (OLE2) ---------------------------------------------------------------------------


def test_ole_directory_walk_reads_our_minimal_file(tmp_path):
    path = tmp_path / "a.xls"
    ole_file(path, ["Workbook", "\x05SummaryInformation"])
    assert ole_entry_names(path) == ["Root Entry", "Workbook", "\x05SummaryInformation"]
    assert check_upload(path, "a.xls") == "xls"


def test_xls_with_a_vba_storage_is_refused(tmp_path):
    path = tmp_path / "a.xls"
    ole_file(path, ["Workbook", "_VBA_PROJECT_CUR", "VBA", "dir", "Module1"])
    error = refused(path, "a.xls", "macro")
    assert error.message.startswith("含宏的文件不能导入，请另存为 .xlsx")


def test_password_protected_xlsx_is_refused_with_the_password_message(tmp_path):
    path = tmp_path / "a.xlsx"
    ole_file(path, ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
    assert "密码" in refused(path, "a.xlsx", "encrypted").message
    path2 = tmp_path / "a.xls"
    ole_file(path2, ["EncryptionInfo", "EncryptedPackage"])
    refused(path2, "a.xls", "encrypted")


def test_word_97_document_renamed_xls_is_named(tmp_path):
    path = tmp_path / "a.xls"
    ole_file(path, ["WordDocument", "1Table"])
    assert "Word" in refused(path, "a.xls", "mismatch").message


def test_damaged_ole_directory_falls_back_to_a_byte_search(tmp_path):
    path = tmp_path / "a.xls"
    data = bytearray(files.OLE2_MAGIC + bytes(504))
    struct.pack_into("<H", data, 0x1E, 7)  # impossible sector size
    data += "_VBA_PROJECT_CUR".encode("utf-16-le")
    path.write_bytes(bytes(data))
    refused(path, "a.xls", "macro")
    path.write_bytes(bytes(data[:512]))
    assert check_upload(path, "a.xls") == "xls"  # the reader reports it as damaged


def test_looping_directory_chain_does_not_hang(tmp_path):
    path = tmp_path / "a.xls"
    ole_file(path, ["Workbook"])
    data = bytearray(path.read_bytes())
    struct.pack_into("<L", data, 512 + 4, 1)  # FAT[1] = 1: the directory sector points at itself
    path.write_bytes(bytes(data))
    assert check_upload(path, "a.xls") == "xls"  # walk fails → byte search finds nothing


# --- csv ----------------------------------------------------------------------------------


def test_csv_with_nul_bytes_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("姓名,身份证号码\n张三,1\x00\x00\n".encode() * 10)
    assert "空字符" in refused(path, "a.csv", "csv_nul").message


def test_nul_bytes_late_in_a_large_csv_are_found(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n" * 600_000 + b"\x00")
    refused(path, "a.csv", "csv_nul")


@pytest.mark.parametrize("bom", [True, False])
def test_utf16_csv_gets_its_own_message(tmp_path, bom):
    path = tmp_path / "a.csv"
    text = "姓名\t身份证号码\n张三\t110105194912310021\n" * 20
    data = text.encode("utf-16-le")
    path.write_bytes((codecs.BOM_UTF16_LE if bom else b"") + data)
    assert "UTF-16" in refused(path, "a.csv", "csv_utf16").message


def test_csv_in_an_unknown_encoding_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"\x80\xff\xfe\x81,\xff\n" * 10)
    assert "编码" in refused(path, "a.csv", "csv_encoding").message


def test_html_named_csv_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("<html><table></table></html>")
    refused(path, "a.csv", "mismatch")


def test_csv_starting_with_letters_mz_is_still_a_csv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("MZ编号,姓名,身份证号码\n1,张三,1\n", encoding="utf-8")
    assert check_upload(path, "a.csv") == "csv"


def test_file_rejected_pickles_with_its_code():
    error = pickle.loads(pickle.dumps(FileRejected("坏了", "corrupt")))  # noqa: S301 (our own bytes)
    assert (error.message, error.code, str(error)) == ("坏了", "corrupt", "坏了")


def test_extension_of():
    assert files.extension_of("a.b.XLSX") == ".xlsx"
    assert files.extension_of("noext") == ""
    assert files.extension_of("dir.v2/file") == ""
    assert files.extension_of("名单.xlsx. ") == ".xlsx"
