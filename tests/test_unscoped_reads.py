"""No unscoped reads (issue 19 item 6).

Every `<Model>.objects` / `<Model>._default_manager` in the modules that answer requests —
`*views*.py`, `selectors.py`, `dashboard.py` under src/ruhui and everything in src/ruhui/api/ —
is listed here, keyed `module.function:Model`, with the one-line reason it cannot leak across
jurisdictions. A new read that is not listed fails: scope it (orgs.scoping.scoped /
get_scoped_or_404 / a selector that takes the user), or list it with its reason. A listed read
that is gone fails too, so the list stays the truth.
"""

import ast
import sys
from collections import Counter
from pathlib import Path

from tests.figures_report import note

SRC = Path(__file__).resolve().parents[1] / "src" / "ruhui"
MANAGERS = {"objects", "_default_manager"}

SCOPED_404 = "wrapped in get_scoped_or_404(user, …): an object outside the caller's subtree is 404"
OF_SCOPED = "the rows of an object the caller already reached through scoping"
PUBLIC = "public by design (the public pages): published/running rows only"
NONE = "Model.objects.none(): no rows"

ALLOWED = {
    "accounts.selectors.locked_users:AccessAttempt": "usernames only; the users shown go through scoped(user, User) on the next statement",
    "accounts.selectors.security_rows:ApiToken": "token counts of the users passed in, which come from the scoped user list",
    "accounts.views.user_token_revoke:ApiToken": "tokens of a target fetched by get_scoped_or_404, then get_scoped_or_404 again",
    "api.auth.TokenAuth:ApiToken": "authentication: looks a token up by its digest (the caller's own token)",
    "api.cases._cases:WorkerGroup": "public code table (八大群体) in a prefetch",
    "api.cases.get_case:CaseEvent": OF_SCOPED + " (case from the scoped case selector)",
    "api.enterprises._enterprise:Enterprise": SCOPED_404,
    "api.enterprises.create_survey:Survey": "re-reads the survey just recorded on a scoped enterprise",
    "api.joining._application:Application": SCOPED_404,
    "api.members.get_member:Member": SCOPED_404,
    "api.members.create_member:Member": "re-reads the member just created through the service",
    "api.orgs.get_org:Organization": SCOPED_404,
    "api.orgs.get_children:Organization": "children of an organization fetched by get_scoped_or_404 (its subtree)",
    "api.projects._reviewers:Organization": "names of the reviewing units (campaign owners' parents) of scoped plans",
    "api.projects.get_plan:PlanEvent": OF_SCOPED + " (plan from the scoped selector)",
    "api.projects.get_plan:Attachment": OF_SCOPED + " (plan from the scoped selector)",
    "api.projects.get_project:ProjectEvent": OF_SCOPED + " (project from the scoped selector)",
    "api.projects.get_subsidy:SubsidyEvent": OF_SCOPED + " (subsidy from the scoped selector)",
    "api.projects.get_subsidy:Disbursement": OF_SCOPED + " (subsidy from the scoped selector)",
    "assessment.selectors.campaigns:AssessmentScheme": "schemes of the campaigns the caller was already given",
    "assessment.selectors.assessment_get:UnitAssessment": SCOPED_404,
    "assessment.selectors.file_get:SelfAssessmentFile": SCOPED_404,
    "campaigns.dashboard.dashboard:Organization": "children of the dashboard's unit, which the view fetched scoped",
    "campaigns.dashboard.dashboard:UnitFigure": "figures of those children only (aggregates)",
    "campaigns.dashboard.dashboard:Target": "targets of those children only",
    "campaigns.dashboard.dashboard:UnitTally": "aggregates of the dashboard's own unit",
    "campaigns.dashboard.assisted_groups:GroupAssignment": "the groups assigned to the campaign's root unit",
    "campaigns.dashboard.assisted_groups:Organization": "unit names for the aggregate rows (no personal data)",
    "campaigns.dashboard.assisted_groups:UnitTally": "aggregates only (counts per group)",
    "campaigns.dashboard.behind_pace:Organization": "children of the caller's running campaigns' own units",
    "campaigns.dashboard.behind_pace:UnitFigure": "aggregates of those children only",
    "campaigns.dashboard.behind_pace:Target": "targets of those children only",
    "campaigns.selectors.campaign_rows:UnitFigure": "aggregates of the campaigns and units passed in (scoped by the caller)",
    "campaigns.selectors.campaign_rows:Target": "targets of the campaigns and units passed in",
    "campaigns.selectors._owner_baseline_totals:Decomposition": "aggregates of the campaigns passed in",
    "campaigns.selectors._owner_baseline_totals:Target": "aggregates of the campaigns passed in",
    "campaigns.selectors.campaign_get:Campaign": SCOPED_404,
    "campaigns.selectors.decomposable_units:Organization": "children of a unit the caller reached scoped",
    "campaigns.selectors.next_level_targets:Target": "targets in the subtree of a unit the caller reached scoped",
    "campaigns.selectors.unit_target:Target": "the target of one scoped unit",
    "campaigns.selectors.decomposition_view:Decomposition": "the decomposition of one scoped unit",
    "campaigns.selectors._computed_baselines:UnitFigure": "aggregates of units passed in",
    "campaigns.selectors.new_member_events:MembershipEvent": "an exists() check beside the scoped events (no rows shown)",
    "campaigns.selectors.baseline_members:Member": NONE,
    "cases.selectors.case_get:Case": SCOPED_404,
    "cases.selectors.case_get:CaseEvent": OF_SCOPED + " (prefetch of the scoped case)",
    "cases.selectors.photo_get:CasePhoto": SCOPED_404,
    "cases.selectors.reports_to_turn:Case": "a subquery of report ids to exclude (no rows shown)",
    "cases.selectors.groups:WorkerGroup": "public code table (八大群体)",
    "cases.selectors.published_cases:Case": PUBLIC,
    "cases.selectors.published_photo:CasePhoto": PUBLIC,
    "cases.selectors.bulletin_excerpts:Case": "published cases of the bulletin's campaign (public once published)",
    "enterprises.selectors._snapshots:HeadcountSnapshot": "a correlated subquery on the scoped enterprises (OuterRef)",
    "enterprises.selectors.alerts:HeadcountSnapshot": "a correlated subquery on the scoped enterprises (OuterRef)",
    "enterprises.selectors.enterprise_members:Enterprise": "counts per union of the scoped enterprises' unions (aggregates only)",
    "enterprises.selectors.enterprise_members:Member": "member counts of those unions (aggregates only)",
    "enterprises.selectors._labels:Park": "labels for keys taken from the scoped grouped rows",
    "enterprises.selectors._labels:WorkerGroup": "public code table (八大群体)",
    "enterprises.selectors._labels:Organization": "labels for keys taken from the scoped grouped rows",
    "enterprises.views._enterprise:Enterprise": SCOPED_404,
    "enterprises.views._detail_context:Enterprise": "the one enterprise already fetched scoped",
    "enterprises.views.park_edit:Park": SCOPED_404,
    "jobs.selectors.jobs_awaiting_approval:Job": NONE,
    "jobs.views._job_or_404:Job": "the one job already fetched by get_scoped_or_404 (reap check)",
    "jobs.views.job_decide:Job": SCOPED_404,
    "joining.selectors._admitting:Organization": "public: the union finder of the public join page lists admitting unions by design",
    "joining.selectors.active_links:JoinLink": "links of the unions passed in (the caller's scoped unions)",
    "joining.selectors.active_link:JoinLink": "the link of one union (a scoped union, or the public link's own)",
    "joining.views._application:Application": SCOPED_404,
    "joining.views_public._looked_up:Application": "public status page: only the application remembered in the visitor's session after the identity check",
    "joining.views_public.card:Member": "public card: only the member remembered in the visitor's session after the identity check",
    "members.selectors.transfers_outgoing:Transfer": "filtered to the caller's subtree path (from_union__path__startswith)",
    "members.selectors.transfers_incoming:Transfer": "filtered to the caller's subtree path (to_union__path__startswith)",
    "members.selectors.members_at:Member": "filtered to the caller's subtree path on that date (path_at__startswith)",
    "members.selectors.members_at:MembershipEvent": "a correlated subquery (OuterRef) of the members above",
    "members.selectors.new_member_events:MembershipEvent": "filtered to the caller's subtree path",
    "members.selectors.transfer_for_code:Transfer": "one pending transfer by its secret code (the code is the credential)",
    "members.selectors.held_membership:Member": "one person's held membership by blind index, for the one-person-one-membership check",
    "members.views._member:Member": SCOPED_404,
    "members.views._transfer:Transfer": SCOPED_404,
    "members.views.member_list:Member": NONE,
    "orgs.selectors.organization_ancestors_in_scope:Organization": "ancestors filtered to the caller's root path on the same line",
    "orgs.views.org_detail:Organization": "children of an organization fetched by get_scoped_or_404 (its subtree)",
    "orgs.views.org_edit:Organization": "re-reads the organization already fetched scoped",
    "positions.selectors.position_get:ServicePosition": SCOPED_404,
    "positions.selectors.photo_get:PositionPhoto": SCOPED_404,
    "positions.selectors.award_get:PositionAward": SCOPED_404,
    "positions.selectors.public_counties:ServicePosition": PUBLIC,
    "positions.selectors.public_positions:ServicePosition": PUBLIC,
    "projects.selectors.plan_page:PlanTask": OF_SCOPED + " (plan)",
    "projects.selectors.consolidated_totals:Project": "aggregates of the scoped projects passed in (pk__in=base)",
    "projects.selectors.project_get:Project": SCOPED_404,
    "projects.selectors.union_candidates:Organization": "unions in the project's responsible unit's subtree (the project is scoped)",
    "projects.selectors.project_history:Attachment": OF_SCOPED + " (project)",
    "projects.selectors.project_history:SubsidyApplication": OF_SCOPED + " (project)",
    "projects.selectors.project_history:ProjectFigure": OF_SCOPED + " (project)",
    "projects.selectors.project_history:ProjectEvent": OF_SCOPED + " (project)",
    "projects.selectors.project_history:SelfAssessment": OF_SCOPED + " (project)",
    "projects.selectors.project_history:Inspection": OF_SCOPED + " (project)",
    "projects.selectors.project_history:SubsidyEvent": OF_SCOPED + " (project's subsidy)",
    "projects.selectors.project_history:Disbursement": OF_SCOPED + " (project's subsidy)",
    "projects.views._edit_project:Project": SCOPED_404,
    "projects.views._edit_task:PlanTask": SCOPED_404,
    "projects.views_documents._plan:ActionPlan": SCOPED_404,
    "projects.views_project._project_action:Inspection": SCOPED_404,
    "reports.selectors.schedule:ReportSchedule": "the schedule of a campaign the caller reached scoped",
    "reports.selectors.reporting_units:Organization": "children of the campaign's owner (a scoped campaign)",
    "reports.selectors.overview:MonthlyReport": "the caller's own unit's reports (unit_id=user.organization_id)",
    "reports.selectors.report_get:MonthlyReport": SCOPED_404,
    "reports.selectors.bulletins_of:Bulletin": NONE,
}


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "migrations" in rel.parts:
            continue
        name = path.name
        if "views" in name or name in ("selectors.py", "dashboard.py") or rel.parts[0] == "api":
            yield path, ".".join(rel.with_suffix("").parts)


def reads() -> Counter:
    """`module.function:Model` → how many `.objects` / `._default_manager` uses it has."""
    found = Counter()

    def visit(node, module, function):
        for child in ast.iter_child_nodes(node):
            inner = function
            if function is None and isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                inner = child.name
            if isinstance(child, ast.Attribute) and child.attr in MANAGERS:
                found[f"{module}.{inner or '<module>'}:{ast.unparse(child.value)}"] += 1
            visit(child, module, inner)

    for path, module in _modules():
        visit(ast.parse(path.read_text(encoding="utf-8")), module, None)
    return found


def test_every_model_read_is_scoped_or_listed():
    found = reads()
    unlisted = sorted(set(found) - ALLOWED.keys())
    stale = sorted(ALLOWED.keys() - set(found))
    note("unscoped reads", f"{len(ALLOWED)} listed, {len(unlisted)} unlisted")
    assert not unlisted, (
        "这些模型读取没有经过管辖范围过滤，也不在白名单中：请用 orgs.scoping.scoped / "
        "get_scoped_or_404 限定范围，或在 tests/test_unscoped_reads.py 的 ALLOWED 中登记并写明理由 / "
        f"unlisted model reads — scope them or list them with a reason: {unlisted}"
    )
    assert not stale, (
        "白名单中的这些读取已不存在，请删除 / allow-list entries no longer in the code, "
        f"remove them: {stale}"
    )


def test_the_scan_finds_a_new_read(tmp_path, monkeypatch):
    """A read added to a view is reported under its module.function key."""
    views = tmp_path / "widgets" / "views.py"
    views.parent.mkdir()
    views.write_text(
        "from ruhui.members.models import Member\n\n\ndef leak(request):\n"
        "    return Member.objects.all()\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    assert reads() == Counter({"widgets.views.leak:Member": 1})
