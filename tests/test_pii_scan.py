"""The personal-data scan (tests/pii_scan.py) catches a planted leak and nothing else.

Each test feeds its own Collector directly (responses built here, a LogRecord made by hand), so
the planted numbers never pass the session's own collector and the real session stays green.
"""

import io
import json
import logging
from types import SimpleNamespace

import docx
import pytest
from django.http import FileResponse, HttpResponse, JsonResponse
from django.test import RequestFactory
from django.urls import resolve
from fpdf import FPDF
from openpyxl import Workbook

from ruhui.accounts.models import Role
from ruhui.core.masking import mask_id_number, mask_phone
from tests import pii_scan
from tests.factories import UserFactory
from tests.members.factories import join, make_id_number, make_phone


@pytest.fixture
def person(world):
    id_number, phone = make_id_number(), make_phone()
    member = join(world.county_admin, world.county_trade, id_number=id_number, phone=phone)
    return SimpleNamespace(member=member, id_number=id_number, phone=phone)


@pytest.fixture
def collector():
    return pii_scan.Collector()


def _request(path="/members/", user=None, method="get"):
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(path.split("?")[0])
    if user is not None:
        request.user = user
    return request


def _xlsx(*cells) -> bytes:
    book = Workbook()
    book.active.append(list(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(text) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(text) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def test_finds_id_numbers_and_mobiles_but_not_masked_or_longer_runs():
    text = (
        "身份证 41048119900501123X 手机 13912345678 订单 4104811990050112345678 tel:+8613812345678"
    )
    found = pii_scan.find_numbers(text)
    assert ("id", "41048119900501123X") in found
    assert ("phone", "13912345678") in found
    assert ("phone", "13812345678") not in found  # glued to 86: part of a longer digit run
    assert all(n != "4104811990050112345678"[:18] for _, n in found)
    masked = f"{mask_id_number('41048119900501123X')} {mask_phone('13912345678')}"
    assert pii_scan.find_numbers(masked) == []
    assert pii_scan.find_numbers(text.encode()) == pii_scan.find_numbers(text)


@pytest.mark.parametrize(
    "make_response",
    [
        pytest.param(lambda n: HttpResponse(f"<td>{n}</td>"), id="html"),
        pytest.param(lambda n: JsonResponse({"id_number": n}), id="json"),
        pytest.param(
            lambda n: HttpResponse(
                _xlsx("张伟", n),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            id="xlsx",
        ),
        pytest.param(
            lambda n: FileResponse(io.BytesIO(_xlsx("张伟", n)), filename="名册.xlsx"),
            id="xlsx-streamed",
        ),
        pytest.param(
            lambda n: HttpResponse(_docx(f"证件号码 {n}"), content_type=pii_scan.DOCX_TYPE),
            id="docx",
        ),
        pytest.param(
            lambda n: HttpResponse(_pdf(f"ID {n}"), content_type=pii_scan.PDF_TYPE), id="pdf"
        ),
        pytest.param(
            lambda n: HttpResponse(status=302, headers={"Location": f"/members/?q={n}"}),
            id="header",
        ),
    ],
)
def test_a_member_s_unmasked_id_in_a_response_is_a_leak(person, collector, make_response):
    response = make_response(person.id_number)
    collector.response(_request(), response)
    collector.check_pending()
    assert [leak.masked for leak in collector.leaks] == [mask_id_number(person.id_number)]
    assert collector.leaks[0].holder == "会员"
    assert person.id_number not in str(collector.leaks[0])


def test_a_streamed_body_is_read_and_still_given_to_the_test(person, collector):
    data = _xlsx("张伟", person.id_number)
    response = FileResponse(io.BytesIO(data), filename="名册.xlsx")
    collector.response(_request(), response)
    assert b"".join(response.streaming_content) == data


def test_a_member_s_phone_in_a_response_is_a_leak(person, collector):
    collector.response(_request(), HttpResponse(f"电话 {person.phone}"))
    collector.check_pending()
    assert [leak.masked for leak in collector.leaks] == [mask_phone(person.phone)]


def test_an_id_in_a_log_record_is_a_leak(person, collector):
    record = logging.LogRecord(
        "ruhui.members", logging.INFO, __file__, 1, "joined %s", (person.id_number,), None
    )
    collector.log_record(record)
    collector.check_pending()
    assert len(collector.leaks) == 1 and collector.leaks[0].where == "log INFO ruhui.members"
    assert collector.log_records == 1


def test_an_id_in_a_url_is_a_leak(person, collector):
    collector.response(_request(f"/members/?q={person.id_number}"), HttpResponse("无结果"))
    collector.check_pending()
    assert [leak.where.split(" ")[0] for leak in collector.leaks] == ["URL"]
    assert collector.urls == 1


def test_numbers_of_nobody_and_masked_numbers_are_not_leaks(person, collector):
    nobody_id, nobody_phone = make_id_number(), make_phone()
    body = (
        f"{nobody_id} {nobody_phone} {person.member.id_number_masked} {person.member.phone_masked}"
    )
    collector.response(_request(), HttpResponse(body))
    collector.response(_request(), JsonResponse({"n": nobody_id}))
    collector.check_pending()
    assert collector.leaks == [] and collector.responses == 2


def test_reveal_is_exempt_only_for_a_user_allowed_to_reveal(world, person, collector):
    path = f"/members/{person.member.pk}/reveal/"
    viewer = UserFactory(organization=world.county, role=Role.READONLY)
    for user in (world.city_admin, viewer):
        collector.response(_request(path, user=user), HttpResponse(person.id_number))
    collector.check_pending()
    assert collector.exempted == 1
    assert [leak.test for leak in collector.leaks] == ["(outside a test)"]


def test_the_same_body_on_another_path_is_not_exempt(world, person, collector):
    collector.response(
        _request(f"/members/{person.member.pk}/", user=world.city_admin),
        HttpResponse(person.id_number),
    )
    collector.check_pending()
    assert len(collector.leaks) == 1 and collector.exempted == 0


def test_without_a_database_nothing_is_checked(collector):
    # A test without database access has nobody in it: the candidates are counted, not failed.
    collector.response(_request("/"), HttpResponse(make_id_number()))
    collector.check_pending()
    assert collector.leaks == [] and collector.unchecked == 1


def test_a_leak_fails_the_session_and_is_listed(db):
    collector = pii_scan.Collector(check=lambda kind, number: "会员")
    collector.test = "tests/x.py::test_y"
    collector.response(_request(), JsonResponse({"id": "41048119900501123X"}))
    collector.check_pending()
    plugin = pii_scan.Plugin(collector)
    session = SimpleNamespace(exitstatus=0)
    plugin.pytest_sessionfinish(session, 0)
    assert session.exitstatus == pytest.ExitCode.TESTS_FAILED
    lines = []
    plugin.pytest_terminal_summary(
        SimpleNamespace(write_line=lambda s, **kw: lines.append(s), section=lambda *a, **k: None)
    )
    assert lines[0] == "PII scan: 1 responses, 0 log records, 1 URLs, 1 leaks"
    assert lines[2] == (
        "tests/x.py::test_y: 身份证号码 410481********123X（会员）in GET /members/ body "
        "(application/json)"
    )


def test_every_exemption_names_a_route_and_a_reason():
    from django.urls import reverse

    for exemption in pii_scan.EXEMPTIONS:
        namespace = exemption.view_name.split(":")[0]
        kwargs = {"member_pk": 1} if namespace == "members" else {"job_pk": 1}
        assert reverse(exemption.view_name, kwargs=kwargs)
        assert len(exemption.reason) > 10
    assert json.dumps(pii_scan.DELIBERATE_URLS, ensure_ascii=False)


def test_the_session_collector_sees_the_test_client(request, world, client):
    plugin = request.config.pluginmanager.get_plugin(pii_scan.PLUGIN_NAME)
    if plugin is None:
        pytest.skip("RUHUI_PII_SCAN=0: the scan is off")
    before = (plugin.collector.responses, plugin.collector.urls)
    client.force_login(world.county_admin)
    assert client.get("/members/?page=1").status_code == 200
    assert (plugin.collector.responses, plugin.collector.urls) == (before[0] + 1, before[1] + 1)
    assert any(isinstance(h, pii_scan._LogHandler) for h in logging.getLogger().handlers)
