"""考核评比 of the demo's 2019 drive (`pds-2019`) for `make demo`: in December 2019 舞钢 and
郏县 file their 绩效自评报告, the city keeps a scheme (the default weights, 100 in all; the
drive states no growth %, so 较基数增长 weighs 0) and computes every unit's scores from the
records on 12-04 (the October reports are the last due; November's is due on 12-05); 舞钢's result is given, the rest is left for
the city to review. The assessment stays a draft (not finalized).

Written through `ruhui.assessment.services` on their days (`ruhui.demo.projects._on`).
Idempotent: nothing happens when the drive already has a scheme.
"""

import datetime

from ruhui.accounts.models import User
from ruhui.assessment import services
from ruhui.assessment.models import AssessmentScheme, UnitAssessment
from ruhui.campaigns.models import Campaign
from ruhui.demo.projects import SLUG, _on
from ruhui.orgs.models import Organization

D = datetime.date

SELF_ASSESSMENTS = [
    (
        "WG",
        "wg_admin",
        D(2019, 12, 3),
        "2019年舞钢市总工会按照市总工会的部署，以快递员、货车司机为重点开展农民工入会集中行动。"
        "全年组建快递行业工会一个，建成「小哥驿站」一处，按月向市总报告进展。\n\n"
        "存在的问题：个别项目进度滞后，检查发现的台账问题仍在整改。下一步将对照项目清单逐项销账。",
    ),
    (
        "JX",
        "jx_admin",
        D(2019, 12, 5),
        "郏县总工会依托县家政服务中心组织家政服务员入会，结合职业技能培训现场办理入会手续，"
        "新会员信息及时录入省总工会会员实名制数据库。\n\n"
        "存在的问题：部分乡镇宣传覆盖不够。下一步将把入会服务延伸到村（社区）。",
    ),
]


def seed_demo_assessment() -> dict:
    """The 2019 drive's assessment draft; returns {"assessments": units assessed}."""
    campaign = Campaign.objects.filter(slug=SLUG).select_related("owner").first()
    if campaign is None:
        return {"assessments": 0}
    if AssessmentScheme.objects.filter(campaign=campaign).exists():
        return {"assessments": UnitAssessment.objects.filter(scheme__campaign=campaign).count()}
    for code, username, day, text in SELF_ASSESSMENTS:
        with _on(day):
            services.self_assessment_submit(
                actor=User.objects.get(username=username),
                campaign=campaign,
                unit=Organization.objects.get(code=code),
                text=text,
            )
    city = User.objects.get(username="pds_admin")
    with _on(D(2019, 12, 4)):
        services.scheme_save(
            actor=city, campaign=campaign, weights=services.default_weights(campaign)
        )
        rows = services.assessment_compute(actor=city, campaign=campaign)
        wugang = next((r for r in rows if r.unit.code == "WG"), None)
        if wugang is not None:
            services.assessment_adjust(
                actor=city,
                assessment=wugang,
                adjustment="1.5",
                reason="「小哥驿站」做法被省总工会推广，按考核方案加分。",
            )
            services.assessment_decide(
                actor=city, assessment=wugang, result="excellent", recommended=True
            )
    return {"assessments": len(rows)}
