"""The union founded for a 建会入会 project (推进实施): named by the plan's own unit through
`projects.services.project_union_link`, checked against the campaign and the tree, audited, and
followed by the close-out figures; inspections move the figures too."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ruhui.audit.models import AuditEvent
from ruhui.enterprises.services import union_build
from ruhui.projects import services
from ruhui.projects.choices import BuildType
from ruhui.projects.figures import closeout_refresh
from ruhui.projects.forms import ProjectForm
from ruhui.projects.models import FigureRun, ProjectFigure
from ruhui.projects.selectors import union_candidates
from tests.enterprises.factories import make_enterprise, make_uscc
from tests.factories import OrganizationFactory
from tests.projects.factories import build_project, service_project

D = datetime.date


@pytest.fixture
def plan(people, drive):
    return services.plan_open(actor=people.county_admin, campaign=drive)


@pytest.fixture
def project(people, plan):
    return build_project(people.county_admin, plan)


@pytest.fixture
def new_union(people):
    return OrganizationFactory(
        parent=people.county, name="舞钢市顺丰速运有限公司工会", founded_on=D(2019, 7, 16)
    )


def refused(call) -> str:
    with pytest.raises(ValidationError) as error:
        call()
    assert list(error.value.message_dict) == ["union"]
    return " ".join(error.value.messages)


def test_the_unit_names_its_founded_union_and_the_figures_follow(
    people, drive, project, new_union, django_capture_on_commit_callbacks
):
    closeout_refresh(drive)
    assert ProjectFigure.objects.get(project=project).union is None
    with django_capture_on_commit_callbacks(execute=True):
        services.project_union_link(actor=people.county_admin, project=project, union=new_union)
    project.refresh_from_db()
    assert project.founded_union == new_union
    figure = ProjectFigure.objects.get(project=project)
    assert (figure.union, figure.founded_on) == (new_union, D(2019, 7, 16))
    assert not FigureRun.objects.get(campaign=drive).queued
    audit = AuditEvent.objects.filter(object_type="projects.project", object_id=str(project.pk))
    assert "舞钢市顺丰速运有限公司工会（建会日期 2019-07-16）" in str(
        audit.order_by("pk").last().changes
    )
    # Taken back: a wrong choice is undone the same way, and audited again.
    before = audit.count()
    services.project_union_link(actor=people.county_admin, project=project, union=None)
    project.refresh_from_db()
    assert project.founded_union is None and audit.count() == before + 1


def test_the_founded_union_is_checked(people, drive, plan, project, new_union):
    def link(union, item=project):
        return lambda: services.project_union_link(
            actor=people.county_admin, project=item, union=union
        )

    old = OrganizationFactory(parent=people.county, name="舞钢老工会", founded_on=D(2010, 3, 1))
    assert "不在集中行动期间（2019-04-01 至 2019-12-31）" in refused(link(old))
    undated = OrganizationFactory(parent=people.county, name="舞钢无日期工会", founded_on=None)
    assert "还没有建会日期" in refused(link(undated))
    outside = OrganizationFactory(
        parent=people.sibling, name="宝丰新工会", founded_on=D(2019, 8, 1)
    )
    assert "不在责任单位舞钢市总工会的下级范围内" in refused(link(outside))
    services.project_union_link(actor=people.county_admin, project=project, union=new_union)
    second = build_project(people.county_admin, plan, name="舞钢第二个建会项目")
    assert "已登记为项目「舞钢市顺丰速运有限公司工会」建成的工会" in refused(
        link(new_union, second)
    )
    existing = build_project(
        people.county_admin,
        plan,
        name="舞钢快递行业工会发展会员",
        build_type=BuildType.EXISTING,
        existing_union=people.county_trade,
    )
    assert "按所选的已有工会核验" in refused(link(new_union, existing))
    service = service_project(people.county_admin, plan)
    assert "维护服务项目不建工会" in refused(link(new_union, service))


def test_only_the_plans_own_unit_names_the_union(people, project, new_union):
    for actor in (people.county_viewer, people.city_admin, people.sibling_admin):
        with pytest.raises(PermissionDenied):
            services.project_union_link(actor=actor, project=project, union=new_union)
    project.refresh_from_db()
    assert project.founded_union is None


def test_the_project_page_offers_the_candidates(as_user, people, project, new_union):
    url = reverse("projects:project", args=[project.pk])
    old = OrganizationFactory(parent=people.county, name="舞钢老工会", founded_on=D(2010, 3, 1))
    owner = as_user(people.county_admin)
    page = owner.get(url)
    choices = list(page.context["forms"]["link_union"].fields["union"].queryset)
    assert new_union in choices and old not in choices
    assert "登记建成的工会" in page.content.decode()
    done = owner.post(url, {"action": "link_union", "union": new_union.pk}, follow=True)
    assert "已登记建成的工会：舞钢市顺丰速运有限公司工会" in done.content.decode()
    project.refresh_from_db()
    assert project.founded_union == new_union
    bad = owner.post(url, {"action": "link_union", "union": old.pk})
    assert bad.status_code == 400  # not a candidate: the form refuses it, nothing changes
    project.refresh_from_db()
    assert project.founded_union == new_union
    viewer = as_user(people.county_viewer)
    assert "登记建成的工会" not in viewer.get(url).content.decode()
    assert viewer.post(url, {"action": "link_union", "union": ""}).status_code == 403
    assert as_user(people.sibling_admin).get(url).status_code == 404
    project.refresh_from_db()
    assert project.founded_union == new_union


def test_an_inspection_and_its_follow_up_recompute_the_figures(
    people, drive, project, django_capture_on_commit_callbacks
):
    plan = project.plan
    services.plan_submit(actor=people.county_admin, plan=plan)
    closeout_refresh(drive)
    assert ProjectFigure.objects.get(project=project).open_findings == 0
    with django_capture_on_commit_callbacks(execute=True):
        inspection = services.inspection_record(
            actor=people.city_admin,
            campaign=drive,
            data={
                "kind": "covert",
                "inspected_unit": people.county,
                "on": D(2019, 6, 20),
                "findings": "台账不全",
                "rectification": "补齐会员台账",
                "rectify_by": D(2019, 7, 31),
            },
            projects=[project],
        )
    assert ProjectFigure.objects.get(project=project).open_findings == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_follow_up(
            actor=people.city_admin,
            inspection=inspection,
            follow_up="已补齐",
            closed_on=D(2019, 7, 15),
        )
    assert ProjectFigure.objects.get(project=project).open_findings == 0


# ------------------------------------------------------------------ 涉及企业


def test_linked_enterprises_are_named_by_name_or_credit_code(as_user, people, plan):
    code = make_uscc()
    shunfeng = make_enterprise(people.county_admin, people.county, name="舞钢市顺丰速运有限公司")
    anshun = make_enterprise(
        people.county_admin, people.county, name="舞钢市安顺货运有限公司", uscc=code
    )
    foreign = make_enterprise(people.sibling_admin, people.sibling, name="宝丰县顺达物流有限公司")
    typed = f"舞钢市顺丰速运有限公司、 {code[:6]} {code[6:]}，舞钢市顺丰速运 有限公司"
    item = build_project(people.county_admin, plan, enterprises=typed)
    assert set(item.enterprises.all()) == {shunfeng, anshun}

    def refused_enterprises(given) -> str:
        with pytest.raises(ValidationError) as error:
            build_project(people.county_admin, plan, name="另一个项目", enterprises=given)
        return " ".join(error.value.message_dict["enterprises"])

    assert "在舞钢市总工会及其下级的企业名录中没有找到" in refused_enterprises(
        "宝丰县顺达物流有限公司"
    )
    assert "不在舞钢市总工会及其下级的企业名录中" in refused_enterprises([foreign])
    assert "最多填写 50 家" in refused_enterprises("、".join(f"企业{n}" for n in range(51)))
    # The edit form gives the names back, and saving them unchanged keeps the same two.
    client = as_user(people.county_admin)
    url = reverse("projects:plan", args=[plan.campaign.slug, plan.unit_id])
    form = client.get(url, {"edit": item.pk}).context["project_form"]
    assert set(form.initial["enterprises"].split("、")) == {shunfeng.name, anshun.name}


def test_a_linked_enterprises_new_union_is_the_first_candidate(people, plan, project, drive):
    enterprise = make_enterprise(people.county_admin, people.county, name="舞钢市顺丰速运有限公司")
    other = OrganizationFactory(
        parent=people.county, name="舞钢另一家新工会", founded_on=D(2019, 9, 1)
    )
    services.project_save(
        actor=people.county_admin,
        plan=plan,
        project=project,
        data=ProjectForm.initial_of(project)
        | {"responsible_unit": people.county, "enterprises": enterprise.name},
    )
    built = union_build(
        actor=people.county_admin,
        enterprise=enterprise,
        parent=people.county,
        on=D(2019, 7, 1),
    )
    candidates = list(union_candidates(project=project))
    assert candidates[0] == built.union and other in candidates


def test_with_no_union_founded_yet_the_page_says_what_to_do(as_user, people, project):
    body = as_user(people.county_admin).get(reverse("projects:project", args=[project.pk]))
    text = body.content.decode()
    assert "舞钢市总工会及其下级还没有新建的工会" in text
    assert 'name="union"' not in text
