"""The workspace navigation, grouped by area; entries appear only where the role may act."""

from django.urls import reverse

NAV = [
    ("工作台", [("首页", "workbench:home", None), ("后台任务", "jobs:list", None)]),
    (
        "集中行动",
        [
            ("行动与进度", "campaigns:list", "campaigns.view_campaign"),
            ("新建行动", "campaigns:create", "campaigns.manage_campaign"),
            ("项目清单", "projects:index", "projects.view_plan"),
        ],
    ),
    (
        "报告与考核",
        [
            ("月报", "reports:index", "reports.view_report"),
            ("典型经验", "cases:manage", "cases.view_case"),
            ("考核评比", "assessment:index", "assessment.view_assessment"),
        ],
    ),
    (
        "服务阵地与服务",
        [
            ("服务阵地", "positions:list", "positions.view_position"),
            ("服务台账", "positions:activities", "positions.view_activity"),
            ("集体协商", "positions:consultations", "positions.view_consultation"),
            ("社会化工会工作者", "positions:social_workers", "positions.view_social_worker"),
            ("服务覆盖情况", "positions:coverage", "positions.view_position"),
            ("空壳风险工会", "positions:shells", "positions.view_position"),
            ("社工倾斜名单", "positions:priority", "positions.view_social_worker"),
        ],
    ),
    (
        "组织体系",
        [
            ("组织树", "orgs:tree", "orgs.view_organization"),
            ("组织列表", "orgs:list", "orgs.view_organization"),
            ("新建组织", "orgs:create", "orgs.manage_organization"),
        ],
    ),
    (
        "会员管理",
        [
            ("会员名册", "members:list", "members.view_member"),
            ("新增会员", "members:create", "members.add_member"),
            ("会员接转", "members:transfers", "members.view_member"),
            ("会费候选", "members:dues", "members.manage_membership"),
            ("导入会员", "importing:upload", "members.add_member"),
            ("导出会员", "importing:export", "members.view_member"),
        ],
    ),
    (
        "网上入会",
        [
            ("入会审核", "joining:queue", "members.view_member"),
            ("入会二维码", "joining:links", "members.view_member"),
        ],
    ),
    (
        "企业排查",
        [
            ("企业名录", "enterprises:list", "enterprises.view_enterprise"),
            ("建会工作清单", "enterprises:worklist", "enterprises.view_enterprise"),
            ("动态监控预警", "enterprises:alerts", "enterprises.view_enterprise"),
            ("覆盖情况", "enterprises:coverage", "enterprises.view_enterprise"),
            ("园区名录", "enterprises:parks", "enterprises.view_enterprise"),
            ("导入企业", "enterprise_import:upload", "enterprises.add_enterprise"),
        ],
    ),
    (
        "系统管理",
        [
            ("用户管理", "accounts:users", "accounts.manage_users"),
            ("审计日志", "accounts:audit", "accounts.view_audit"),
            ("账号安全", "accounts:security", "accounts.manage_security"),
            ("API 令牌", "accounts:tokens", "accounts.manage_own_tokens"),
            ("修改密码", "accounts:password_change", None),
            ("两步验证", "accounts:twofactor", None),
        ],
    ),
]


def workspace(request) -> dict:
    """Template context for the cadre layout: `nav` for authenticated cadres only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "organization_id", None):
        return {"nav": []}
    path = request.path
    sections = []
    for label, entries in NAV:
        items = []
        for item_label, url_name, perm in entries:
            if perm and not user.has_perm(perm):
                continue
            url = reverse(url_name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"label": item_label, "url": url, "active": active})
        if items:
            sections.append({"label": label, "items": items})
    # Only the most specific entry is active (e.g. 组织列表 vs 新建组织).
    active = [i for s in sections for i in s["items"] if i["active"]]
    if len(active) > 1:
        best = max(active, key=lambda i: len(i["url"]))
        for item in active:
            item["active"] = item is best
    return {"nav": sections}
