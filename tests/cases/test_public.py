"""The public /cases/ pages: no login, published cases only, no personal data, the CSP holds,
plain paragraphs (no HTML from users), the group filter, photos of published cases only."""

import re

import pytest

from ruhui.cases import services
from tests.cases.factories import png_upload, published, submit
from tests.test_security_headers import csp_directives

ID_OR_PHONE = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")


@pytest.fixture
def cases(world):
    shown = published(world, photos=[png_upload()])
    draft = submit(world.county_admin, title="尚未发布的经验")
    gone = published(world, title="已撤下的经验", groups=["01"])
    services.case_withdraw(actor=world.city_admin, case=gone, reason="重复")
    return shown, draft, gone


@pytest.mark.django_db
def test_the_list_shows_published_cases_only_without_login(client, cases):
    response = client.get("/cases/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "舞钢快递行业工会建起「小哥驿站」" in body
    assert "尚未发布的经验" not in body and "已撤下的经验" not in body
    assert "舞钢市总工会" in body  # the unit's name is shown …
    assert "county_admin" not in body and "city_admin" not in body  # … no person


@pytest.mark.django_db
def test_the_group_filter(client, world, cases):
    published(world, title="货车司机之家", text="工交工会在物流园建起货车司机之家。", groups=["01"])
    body = client.get("/cases/?group=01").content.decode()
    assert "货车司机之家" in body and "小哥驿站" not in body
    body = client.get("/cases/?group=02").content.decode()
    assert "货车司机之家" not in body and "小哥驿站" in body


@pytest.mark.django_db
def test_the_detail_page_is_plain_paragraphs_with_csp(client, world):
    case = published(world, text="第一段<script>alert(1)</script>\n\n第二段 <b>粗体</b>")
    response = client.get(f"/cases/{case.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert" not in body and "<b>" not in body
    assert "&lt;script&gt;" in body
    assert body.count('class="case-paragraph"') == 2
    assert "<script" not in body and " style=" not in body  # no script, no inline style
    policy = csp_directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    assert not ID_OR_PHONE.search(body)


@pytest.mark.django_db
def test_no_id_or_phone_pattern_on_the_public_pages(client, world, cases):
    for url in ("/cases/", f"/cases/{cases[0].slug}/"):
        body = client.get(url).content.decode()
        assert not ID_OR_PHONE.search(body), url


@pytest.mark.django_db
def test_a_withdrawn_or_unpublished_case_is_the_chinese_404(client, cases):
    _shown, draft, gone = cases
    for slug in (gone.slug, "2019-9999", f"{draft.submitted_at.year}-{draft.pk:04d}"):
        response = client.get(f"/cases/{slug}/")
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode() or "没有找到" in response.content.decode()


@pytest.mark.django_db
def test_photos_are_served_for_published_cases_only(client, world, cases):
    shown, _draft, gone = cases
    photo = shown.photos.get()
    response = client.get(f"/cases/{shown.slug}/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    b"".join(response.streaming_content)
    assert (
        f"/cases/{shown.slug}/photos/{photo.pk}/"
        in client.get(f"/cases/{shown.slug}/").content.decode()
    )
    services.case_withdraw(actor=world.city_admin, case=shown, reason="更新")
    assert client.get(f"/cases/{shown.slug}/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/cases/{gone.slug}/photos/{photo.pk}/").status_code == 404
