"""The cadre pages at /cases/manage/: the triangle (own unit, read-only role, sibling county),
the submit form, the reviewer's buttons, and the newspaper export."""

import io

import pytest
from docx import Document

from ruhui.cases import services
from ruhui.cases.models import Case, CaseStatus
from tests.cases.factories import TEXT, png_upload, submit


@pytest.mark.django_db
def test_triangle_on_the_case_page(world, as_user):
    case = submit(world.county_admin)
    url = f"/cases/manage/{case.pk}/"
    assert as_user(world.county_admin).get(url).status_code == 200
    assert as_user(world.city_admin).get(url).status_code == 200
    viewer = as_user(world.county_viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"action": "publish"}).status_code == 403
    assert as_user(world.sibling_admin).get(url).status_code == 404
    assert as_user(world.sibling_admin).post(url, {"action": "publish"}).status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_the_list_is_scoped_and_filtered(world, as_user):
    submit(world.county_admin, title="舞钢经验")
    submit(world.sibling_admin, title="宝丰经验", groups=["01"])
    body = as_user(world.county_admin).get("/cases/manage/").content.decode()
    assert "舞钢经验" in body and "宝丰经验" not in body
    body = as_user(world.city_admin).get("/cases/manage/?group=01").content.decode()
    assert "宝丰经验" in body and "舞钢经验" not in body
    assert as_user(world.county_viewer).get("/cases/manage/submit/").status_code == 403


@pytest.mark.django_db
def test_submit_form(world, as_user):
    client = as_user(world.county_admin)
    data = {"title": "小哥驿站", "text": TEXT, "groups": ["02"], "photos": [png_upload()]}
    response = client.post("/cases/manage/submit/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/manage/{case.pk}/"
    assert case.photos.count() == 1 and case.unit == world.county
    response = client.post("/cases/manage/submit/", {"title": "", "text": ""})
    assert response.status_code == 400
    assert "请填写标题。" in response.content.decode()


@pytest.mark.django_db
def test_the_city_publishes_and_a_phone_number_is_refused_on_the_page(world, as_user):
    case = submit(world.county_admin, text=TEXT + "\n联系人电话 139-3751-2345")
    client = as_user(world.city_admin)
    response = client.post(f"/cases/manage/{case.pk}/", {"action": "publish"})
    assert response.status_code == 400
    assert "正文中含有手机号码「139****2345」" in response.content.decode()
    response = client.post(
        f"/cases/manage/{case.pk}/",
        {"action": "edit", "title": case.title, "text": TEXT, "groups": ["02"]},
    )
    assert response.status_code == 302
    response = client.post(f"/cases/manage/{case.pk}/", {"action": "publish"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED
    assert client.get(f"/cases/{case.slug}/").status_code == 200
    response = client.post(f"/cases/manage/{case.pk}/", {"action": "withdraw", "reason": ""})
    assert "撤下时请填写撤下原因。" in response.content.decode()


@pytest.mark.django_db
def test_the_county_sees_no_review_buttons(world, as_user):
    case = submit(world.county_admin)
    body = as_user(world.county_admin).get(f"/cases/manage/{case.pk}/").content.decode()
    assert 'value="publish"' not in body and 'value="select"' not in body
    body = as_user(world.city_admin).get(f"/cases/manage/{case.pk}/").content.decode()
    assert 'value="publish"' in body and 'value="select"' in body


@pytest.mark.django_db
def test_the_photo_is_scoped(world, as_user):
    case = submit(world.county_admin, photos=[png_upload()])
    url = f"/cases/manage/photos/{case.photos.get().pk}/"
    response = as_user(world.county_admin).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert as_user(world.sibling_admin).get(url).status_code == 404


@pytest.mark.django_db
def test_the_docx_export_holds_the_selected_cases_in_order(world, as_user):
    first = submit(world.county_admin, title="舞钢快递小哥驿站")
    second = submit(world.sibling_admin, title="宝丰家政服务员入会", groups=["04"])
    submit(world.county_admin, title="未选用的经验")
    for case in (second, first):
        services.case_select(actor=world.city_admin, case=case)
    response = as_user(world.city_admin).get("/cases/manage/export.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    texts = [p.text for p in document.paragraphs]
    titles = [t for t in texts if t[:2] in ("1.", "2.", "3.")]
    # By unit in the tree (舞钢 before 宝丰, as they were created), then by submission.
    assert titles == ["1. 舞钢快递小哥驿站", "2. 宝丰家政服务员入会"]
    assert "未选用的经验" not in "".join(texts)
    body = as_user(world.county_admin).get("/cases/manage/export.docx")
    document = Document(io.BytesIO(b"".join(body.streaming_content)))
    assert "宝丰家政服务员入会" not in "".join(p.text for p in document.paragraphs)


@pytest.mark.django_db
def test_the_nav_has_the_cases_entry(world, as_user):
    body = as_user(world.county_viewer).get("/cases/manage/").content.decode()
    assert "报告与考核" in body and 'href="/cases/manage/"' in body
