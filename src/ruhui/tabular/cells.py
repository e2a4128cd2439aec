"""Writing spreadsheet cells safely and alike everywhere: formula injection neutralised
(`safe_cell`), the header style, the text and date formats, the options every xlsxwriter
workbook gets. Knows nothing of members or enterprises."""

MAX_SHEET_ROWS = 1_048_575
#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Never let xlsxwriter turn text into formulas, numbers or links: every cell is written with
    # an explicit type anyway, and these guard any generic write() call.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # A sheet of a million rows is 2–3 GB of XML before compression; ZIP64 records are written
    # only when a part passes 4 GB (Python's zipfile decides), so small files are unchanged.
    "use_zip64": True,
}
HEADER_FORMAT = {
    "bold": True,
    "bg_color": "#DDEBF7",
    "border": 1,
    "valign": "vcenter",
    "text_wrap": True,
}
#: HEADER_FORMAT in the streaming writer's terms (long sheets: exports, import results).
HEADER_STYLE = {"bold": True, "fill": "#DDEBF7", "border": 1, "valign": "center", "wrap": True}
DATE_NUM_FORMAT = "yyyy-mm-dd"
TEXT_NUM_FORMAT = 49  # the built-in text format "@" (Excel, WPS and LibreOffice all know id 49)


def safe_cell(value):
    """A text value starting with = + - @ TAB or CR gets a leading ' so no spreadsheet runs it
    as a formula; every other value (numbers, dates, None, safe text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


#: Import templates: rows prepared with drop-downs and checks, and the header fills (required,
#: optional, filled in by the system).
TEMPLATE_ROWS = 5000
REQUIRED_FILL, HEADER_FILL, READ_ONLY_FILL = "#FCE4D6", "#DDEBF7", "#EDEDED"
