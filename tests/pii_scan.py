"""The suite-wide personal-data scan (issue 19, item 4; PI-7): a pytest plugin.

While the whole suite runs it reads
  - every response that Django's request handler returns (the test client and the browser tests'
    live server both go through `BaseHandler.get_response`): the headers, and the body as HTML,
    JSON or text, or the text of xlsx (python-calamine), docx (python-docx) and pdf (pypdf);
    a streamed or file body is read into memory and handed back to the response as the same
    bytes, so the test still reads all of it, whether it reads it or not;
  - every log record that is emitted (a handler on the root logger, level DEBUG, that leaves
    the loggers' own levels alone);
  - every URL requested (path and query string).
It finds 18-character ID numbers (`\\d{17}[\\dXx]`) and mobile numbers (`1[3-9]\\d{9}`) in them and,
before the test's transaction is rolled back (the start of the test's teardown), asks the test
database whether each one belongs to a person: a member or a join application (blind index of
the ID number; the phone's last four digits, then the decrypted phones), or a 社会化工会工作者
(phone). Masked numbers (410***…1234, 138****5678) do not match the patterns.

The only outputs allowed to carry a person's full number are in EXEMPTIONS below (one place,
each with its reason). Everything else is a leak: the session ends with a non-zero exit status
and lists each leak (test id, where, masked value). `RUHUI_PII_SCAN=0` switches the scan off.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from ruhui.core.masking import mask_id_number, mask_phone

ENABLED = os.environ.get("RUHUI_PII_SCAN", "1") != "0"

REVEAL_PERMISSION = "members.reveal_personal_data"

#: A digit run long enough to hold either number: bodies without one are not searched further.
_LONG_DIGITS = re.compile(rb"[0-9]{11}")
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{11}")
_ID = r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])"
_PHONE = r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"
ID_RE = re.compile(_ID)
PHONE_RE = re.compile(_PHONE)
ID_RE_BYTES = re.compile(_ID.encode())
PHONE_RE_BYTES = re.compile(_PHONE.encode())

XLSX_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
    "application/vnd.oasis.opendocument.spreadsheet",
}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
#: Bodies that cannot hold text: not read (their headers still are).
SKIPPED_PREFIXES = ("image/", "font/", "audio/", "video/")


# --- Finding numbers ------------------------------------------------------------------------


def find_numbers(text: str | bytes) -> list[tuple[str, str]]:
    """Every (kind, number) in `text`, kind "id" or "phone"; IDs upper-cased."""
    if isinstance(text, bytes):
        if not _LONG_DIGITS.search(text):
            return []
        ids = [m.decode().upper() for m in ID_RE_BYTES.findall(text)]
        phones = [m.decode() for m in PHONE_RE_BYTES.findall(text)]
    else:
        if not _LONG_DIGITS_TEXT.search(text):
            return []
        ids = [m.upper() for m in ID_RE.findall(text)]
        phones = PHONE_RE.findall(text)
    return [("id", n) for n in dict.fromkeys(ids)] + [("phone", n) for n in dict.fromkeys(phones)]


def masked(kind: str, number: str) -> str:
    return mask_id_number(number) if kind == "id" else mask_phone(number)


# --- Reading bodies -------------------------------------------------------------------------


def xlsx_text(data: bytes) -> str:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    lines = []
    for name in book.sheet_names:
        lines.append(name)
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
            lines.append("\t".join(str(cell) for cell in row))
    return "\n".join(lines)


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.extend(str(v) for v in (reader.metadata or {}).values())
    return "\n".join(parts)


def zip_text(data: bytes) -> str:
    """An xlsx or docx whatever its content type; any other archive: the text of each entry."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if "xl/workbook.xml" in names:
            return xlsx_text(data)
        if "word/document.xml" in names:
            return docx_text(data)
        parts = []
        for name in names:
            entry = archive.read(name)
            parts.append(name)
            parts.append(body_text(entry, "")[0])
        return "\n".join(parts)


def body_text(data: bytes, content_type: str) -> tuple[str | bytes, str]:
    """The searchable text of a body and what it was read as."""
    if content_type in XLSX_TYPES:
        return xlsx_text(data), "xlsx"
    if content_type == DOCX_TYPE:
        return docx_text(data), "docx"
    if content_type == PDF_TYPE or data[:5] == b"%PDF-":
        return pdf_text(data), "pdf"
    if data[:4] == b"PK\x03\x04":
        return zip_text(data), "zip"
    if content_type.startswith(SKIPPED_PREFIXES):
        return b"", content_type
    return data, content_type or "text"


# --- Exemptions: the one place that lists them --------------------------------------------


@dataclass(frozen=True)
class Exemption:
    view_name: str
    reason: str
    allows: Callable[[object, dict], bool]  # (user, url kwargs) → exempt?


def _holds_reveal(user, kwargs) -> bool:
    return user.has_perm(REVEAL_PERMISSION)


def _full_export_by_revealer(user, kwargs) -> bool:
    from ruhui.importing.jobs import MEMBER_EXPORT
    from ruhui.jobs.models import Job

    job = Job.objects.filter(pk=kwargs.get("job_pk")).first()
    return bool(
        job is not None
        and job.kind == MEMBER_EXPORT
        and job.options.get("full")
        and user.has_perm(REVEAL_PERMISSION)
    )


def _own_import_result(user, kwargs) -> bool:
    from ruhui.importing.jobs import MEMBER_IMPORT
    from ruhui.jobs.models import Job

    job = Job.objects.filter(pk=kwargs.get("job_pk")).first()
    return bool(job is not None and job.kind == MEMBER_IMPORT and job.created_by_id == user.pk)


EXEMPTIONS = [
    Exemption(
        "members:reveal",
        "查看完整证件号码/手机号码：持有 members.reveal_personal_data 的用户，每次查看都记入审计",
        _holds_reveal,
    ),
    Exemption(
        "jobs:result",
        "完整导出（含完整证件号码）：持有 reveal 权限者发起并填写理由，500 行以上须二人审批",
        _full_export_by_revealer,
    ),
    Exemption(
        "jobs:result",
        "导入逐行结果：上传者本人下载自己上传的花名册（原样回显其所填的证件号码）",
        _own_import_result,
    ),
]


#: Tests that type a full ID number into a URL on purpose, to prove the product refuses it. The
#: URL itself is the user's doing (a GET search box); only that URL is exempt — the response
#: must still not echo the number.
DELIBERATE_URLS = {
    "tests/members/test_views.py::test_an_id_number_typed_into_the_search_box_is_refused": (
        "搜索框是 GET 表单：用户输入的身份证号出现在网址中由用户造成；页面拒绝搜索且不回显"
    ),
}


def exemption_for(view_name: str | None, user, kwargs: dict) -> Exemption | None:
    if not view_name or user is None:
        return None
    for exemption in EXEMPTIONS:
        if exemption.view_name == view_name and exemption.allows(user, kwargs):
            return exemption
    return None


# --- Whose number is it ---------------------------------------------------------------------


def person_holding(kind: str, number: str) -> str | None:
    """The kind of person in the database holding `number` ("会员", "入会申请", …), or None."""
    from django.apps import apps

    from ruhui.core import crypto
    from ruhui.members.personal import PHONE_CONTEXT, id_hash

    Member = apps.get_model("members", "Member")
    Application = apps.get_model("joining", "Application")
    if kind == "id":
        digest = id_hash(number)
        if Member.objects.filter(id_number_hash=digest).exists():
            return "会员"
        if Application.objects.filter(id_number_hash=digest).exists():
            return "入会申请"
        return None
    for model, label in ((Member, "会员"), (Application, "入会申请")):
        tokens = list(
            model.objects.filter(phone_tail=number[-4:])
            .exclude(phone_encrypted="")
            .values_list("phone_encrypted", flat=True)
        )
        if tokens and number in crypto.decrypt_many(tokens, context=PHONE_CONTEXT):
            return label
    SocialWorker = apps.get_model("positions", "SocialWorker")
    for phone in SocialWorker.objects.filter(phone__endswith=number[-4:]).values_list(
        "phone", flat=True
    ):
        if re.sub(r"[^0-9]", "", phone).endswith(number):
            return "社会化工会工作者"
    return None


# --- The collector --------------------------------------------------------------------------


@dataclass
class Candidate:
    kind: str
    number: str
    where: str
    test: str
    view_name: str | None = None
    kwargs: dict = field(default_factory=dict)
    user_id: int | None = None


@dataclass
class Leak:
    test: str
    where: str
    kind: str
    masked: str
    holder: str

    def __str__(self) -> str:
        label = "身份证号码" if self.kind == "id" else "手机号码"
        return f"{self.test}: {label} {self.masked}（{self.holder}）in {self.where}"


class Collector:
    """Counts what it read; keeps the numbers found until the test's teardown checks them."""

    def __init__(self, check: Callable[[str, str], str | None] = person_holding):
        self.check = check
        self.responses = self.log_records = self.urls = 0
        self.unreadable: list[str] = []
        self.unchecked = 0
        self.checked = 0
        self.exempted = 0
        self.leaks: list[Leak] = []
        self.test = "(outside a test)"
        self.pending: list[Candidate] = []
        self.lock = threading.Lock()

    def _add(self, found, where, **context) -> None:
        if found:
            with self.lock:
                self.pending.extend(
                    Candidate(kind, number, where, self.test, **context) for kind, number in found
                )

    # Sources.

    def url(self, method: str, full_path: str) -> None:
        self.urls += 1
        if self.test not in DELIBERATE_URLS:
            self._add(find_numbers(full_path), f"URL {method} {full_path[:120]}")

    def log_record(self, record: logging.LogRecord) -> None:
        self.log_records += 1
        try:
            text = record.getMessage()
        except Exception:  # a record whose args do not fit: its parts are still searched
            text = f"{record.msg} {record.args}"
        if record.exc_info and not record.exc_text:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        self._add(find_numbers(text), f"log {record.levelname} {record.name}")

    def body(self, data: bytes, content_type: str, where: str, **context) -> None:
        try:
            text, read_as = body_text(data, content_type)
        except Exception as error:  # a body the readers refuse is itself worth a look
            self.unreadable.append(f"{self.test}: {where} ({content_type}): {error!r}")
            text, read_as = data, content_type
        self._add(find_numbers(text), f"{where} body ({read_as})", **context)

    def response(self, request, response) -> None:
        self.responses += 1
        method, path = request.method, request.get_full_path()
        self.url(method, path)
        where = f"{method} {path[:120]}"
        match = getattr(request, "resolver_match", None)
        context = {
            "view_name": match.view_name if match else None,
            "kwargs": dict(match.kwargs) if match else {},
            "user_id": _signed_in_user_id(request),
        }
        if path.startswith(_static_url()):
            return  # the project's own CSS, JS, fonts and images: no personal data
        headers = " ".join(f"{k}: {v}" for k, v in response.items())
        self._add(find_numbers(headers), f"{where} headers", **context)
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type.startswith(SKIPPED_PREFIXES) and not getattr(response, "streaming", 0):
            return
        if getattr(response, "streaming", False):
            if getattr(response, "is_async", False):
                self.unreadable.append(f"{self.test}: {where}: async streaming body not read")
                return
            chunks = list(response.streaming_content)
            response.streaming_content = chunks  # the same bytes, for the test to read
            data = b"".join(chunks)
        else:
            data = response.content
        if content_type.startswith(SKIPPED_PREFIXES):
            return
        self.body(data, content_type, where, **context)

    # Checking, while the test's data is still in the database.

    def check_pending(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, []
        if not pending:
            return
        from django.db import DatabaseError, transaction

        cache: dict[tuple[str, str], str | None] = {}
        try:
            with transaction.atomic():
                for candidate in pending:
                    key = (candidate.kind, candidate.number)
                    if key not in cache:
                        cache[key] = self.check(*key)
                        self.checked += 1
                    holder = cache[key]
                    if holder is None:
                        continue
                    if self._exempt(candidate):
                        self.exempted += 1
                        continue
                    self.leaks.append(
                        Leak(
                            candidate.test,
                            candidate.where,
                            candidate.kind,
                            masked(candidate.kind, candidate.number),
                            holder,
                        )
                    )
        except RuntimeError as error:
            # pytest-django refuses database access: a test without a database has nobody
            # in it whose number could leak.
            if "Database access not allowed" not in str(error):
                raise
            self.unchecked += len(pending)
        except DatabaseError:
            self.unchecked += len(pending)

    def _exempt(self, candidate: Candidate) -> bool:
        if candidate.user_id is None or candidate.view_name is None:
            return False
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=candidate.user_id).first()
        return exemption_for(candidate.view_name, user, candidate.kwargs) is not None

    def summary(self) -> str:
        return (
            f"PII scan: {self.responses} responses, {self.log_records} log records, "
            f"{self.urls} URLs, {len(self.leaks)} leaks"
        )


def _static_url() -> str:
    from django.conf import settings

    return settings.STATIC_URL or "/static/"


def _signed_in_user_id(request) -> int | None:
    """The user's id if the request already loaded it (no query of ours inside the request)."""
    from django.utils.functional import empty

    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class _LogHandler(logging.Handler):
    def __init__(self, collector: Collector):
        super().__init__(level=logging.DEBUG)
        self.collector = collector

    def emit(self, record: logging.LogRecord) -> None:
        self.collector.log_record(record)


# --- Wiring into pytest and Django -----------------------------------------------------------


class Plugin:
    def __init__(self, collector: Collector | None = None):
        self.collector = collector or Collector()
        self.handler = _LogHandler(self.collector)
        self._original = None

    def install(self) -> None:
        from django.core.handlers.base import BaseHandler

        collector = self.collector
        original = self._original = BaseHandler.get_response

        def get_response(handler, request):
            response = original(handler, request)
            collector.response(request, response)
            return response

        BaseHandler.get_response = get_response

    def uninstall(self) -> None:
        if self._original is not None:
            from django.core.handlers.base import BaseHandler

            BaseHandler.get_response = self._original
            self._original = None
        logging.getLogger().removeHandler(self.handler)

    def _attach_log_handler(self) -> None:
        root = logging.getLogger()
        if self.handler not in root.handlers:  # Django's dictConfig replaces root's handlers
            root.addHandler(self.handler)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self._attach_log_handler()
        self.collector.test = item.nodeid

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item, nextitem):
        # Before the fixtures' finalizers: the test's transaction is not rolled back yet.
        self.collector.check_pending()
        self.collector.test = f"{item.nodeid} (teardown)"
        try:
            return (yield)
        finally:
            self.collector.test = "(outside a test)"

    def pytest_sessionfinish(self, session, exitstatus):
        self.uninstall()
        with self.collector.lock:
            self.collector.pending = []  # after the last teardown: nothing left to check against
        if self.collector.leaks and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        collector = self.collector
        terminalreporter.write_line(collector.summary())
        terminalreporter.write_line(
            f"PII scan: {collector.checked} numbers looked up, {collector.exempted} exempt "
            f"(EXEMPTIONS), {collector.unchecked} in tests without a database"
        )
        if collector.unreadable:
            terminalreporter.write_line(f"PII scan: {len(collector.unreadable)} bodies unreadable:")
            for line in collector.unreadable[:20]:
                terminalreporter.write_line(f"  {line}")
        if collector.leaks:
            terminalreporter.section("PII scan: leaks of personal data", red=True)
            for leak in collector.leaks:
                terminalreporter.write_line(str(leak), red=True)


PLUGIN_NAME = "ruhui_pii_scan"


def register(config) -> None:
    """Called from tests/conftest.py's pytest_configure."""
    if not ENABLED or config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    plugin = Plugin()
    plugin.install()
    config.pluginmanager.register(plugin, PLUGIN_NAME)
