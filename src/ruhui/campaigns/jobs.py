"""The campaigns' background jobs, run by the shared job mechanism (`ruhui.jobs`, issue 14
item 2): the import of a task-decomposition table (a check, then its confirmed commit, both on
the job page; nothing kept in the session) and the dashboard workbook export. This module only
says what the two kinds do; queuing, running, confirming and the job page are the jobs app's."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.campaigns.models import Campaign
from ruhui.jobs.kinds import JobKind, Outcome, RunContext
from ruhui.jobs.models import Job
from ruhui.jobs.services import MSG_OUTSIDE, job_start
from ruhui.orgs.models import Organization
from ruhui.tabular.files import check_upload

TARGET_IMPORT = "target_import"
CAMPAIGN_EXPORT = "campaign_export"
PERM_TARGETS = "campaigns.set_targets"
PERM_VIEW = "campaigns.view_campaign"

#: How a table's name found its organization (`unit_names.RULES`), as the job page says it.
RULE_LABELS = {
    "name": "全称",
    "short_name": "简称",
    "code": "组织代码",
    "normalised": "去掉地名和“工会”等字样后的名称",
    "contained": "名称包含",
}

MSG_CAMPAIGN_GONE = _("这次集中行动已不存在，没有写入任何数据。")


def _campaign_of(job: Job) -> Campaign:
    campaign = (
        Campaign.objects.select_related("owner").filter(pk=job.options.get("campaign")).first()
    )
    if campaign is None:
        raise ValidationError(MSG_CAMPAIGN_GONE)
    return campaign


def _campaign_names(job: Job) -> tuple[str, str]:
    """(slug, name) of the job's campaign, read once per job object (for the page header and
    the links back); empty when it is gone."""
    cached = getattr(job, "_campaign_names", None)
    if cached is None:
        cached = (
            Campaign.objects.filter(pk=job.options.get("campaign"))
            .values_list("slug", "name")
            .first()
        ) or ("", "")
        job._campaign_names = cached
    return cached


def _back(label: str, name: str):
    def back(job: Job) -> tuple[str, str]:
        slug, _name = _campaign_names(job)
        if not slug:
            return "集中行动", reverse("campaigns:list")
        return label, reverse(name, args=[slug, job.organization_id])

    return back


def _describe(job: Job) -> str:
    return _campaign_names(job)[1]


# --- the task-decomposition table ----------------------------------------------------------


@transaction.atomic
def target_import_start(*, actor, campaign: Campaign, unit: Organization, upload) -> Job:
    """Keep a decomposition table and queue its check for `unit`'s decomposition. A file that
    is no table, or hostile, is refused at once (ValidationError on "file"), and not kept."""
    from ruhui.campaigns.target_import import authorise

    authorise(actor, campaign, unit)
    return job_start(
        actor=actor,
        kind=TARGET_IMPORT,
        organization=unit,
        source=upload,
        original_name=upload.name,
        options={"campaign": campaign.pk},
    )


def _table_upload_check(path: Path, original_name: str) -> str:
    """A decomposition table passes the spreadsheet upload checks, or — a Word table copied as
    text (.txt) — the text checks (not empty, not too large, UTF-8 or GB18030)."""
    from ruhui.campaigns.target_tables import TEXT, check_table_name, check_text_upload

    if check_table_name(original_name) == TEXT:
        check_text_upload(path)
        return "txt"
    return check_upload(path, original_name)


def _run_target_import(job: Job, context: RunContext) -> Outcome:
    """Read the table and store it as the unit's decomposition (a check writes nothing). Its
    row errors are the summary's `errors` (row, field, message): the job page lists them."""
    from ruhui.campaigns.target_import import target_table_import

    campaign = _campaign_of(job)
    result = target_table_import(
        actor=job.created_by,
        campaign=campaign,
        unit=job.organization,
        path=context.upload,
        original_name=job.original_name,
        dry_run=job.dry_run,
    )
    summary = result.as_dict()
    for item in summary["matched"]:
        item["rule_label"] = RULE_LABELS.get(item["rule"], item["rule"])
    summary |= {
        "campaign_slug": campaign.slug,
        "campaign_name": campaign.name,
        "source": result.source,
        "imported": sum(1 for item in result.matched if item.imported),
        "error_rows": len({error.row for error in result.errors}),
    }
    return Outcome(summary=summary, rows=result.units)


def _importable(job: Job) -> bool:
    """A check that matched at least one unit with readable numbers (what a check that did not
    fail always has: the same as the old 确认保存 of a finished check)."""
    return any(item.get("imported") for item in job.summary.get("matched", []))


def _import_prompt(job: Job) -> str:
    return (
        f"确认按「{job.original_name}」保存{job.organization.name}的任务分解吗？将写入对应上的 "
        f"{job.summary.get('imported', 0)} 个单位；表中没有的下级单位，原有的任务将被清除。"
    )


TARGET_IMPORT_KIND = JobKind(
    key=TARGET_IMPORT,
    label="任务分解表导入",
    run=_run_target_import,
    permission=PERM_TARGETS,
    is_import=True,
    confirmable=_importable,
    confirm_prompt=_import_prompt,
    back=_back("任务分解", "campaigns:targets"),
    detail_template="campaigns/_target_import_job.html",
    describe=_describe,
    upload_check=_table_upload_check,
)


# --- the dashboard workbook ------------------------------------------------------------------


def campaign_export_start(*, actor, campaign: Campaign, unit: Organization) -> Job:
    """Queue the workbook of `unit`'s dashboard, as `actor` sees it."""
    return job_start(
        actor=actor, kind=CAMPAIGN_EXPORT, organization=unit, options={"campaign": campaign.pk}
    )


def _run_export(job: Job, context: RunContext) -> Outcome:
    """The same dashboard as the page's, for the requester (again within their jurisdiction),
    written to the job's result file."""
    from ruhui.campaigns import selectors
    from ruhui.campaigns.dashboard import dashboard
    from ruhui.campaigns.export import dashboard_workbook

    user = job.created_by
    campaign = _campaign_of(job)
    try:
        campaign = selectors.campaign_get(user=user, slug=campaign.slug)
        unit = selectors.unit_get(user=user, campaign=campaign, pk=job.organization_id)
    except Http404:
        raise PermissionDenied(MSG_OUTSIDE) from None
    board = dashboard(user=user, campaign=campaign, unit=unit)
    context.result_path.write_bytes(dashboard_workbook(board))
    summary = {
        "campaign_slug": campaign.slug,
        "campaign_name": campaign.name,
        "unit": unit.name,
        "units": len(board.rows),
    }
    return Outcome(summary=summary, rows=len(board.rows) + 1, wrote_file=True)


def _export_name(job: Job) -> str:
    """As the download was named: <campaign>-<unit code>-<date of the figures>.xlsx."""
    slug = job.summary.get("campaign_slug") or _campaign_names(job)[0]
    when = timezone.localtime(job.finished_at or job.created_at)
    return f"{slug}-{job.organization.code}-{when:%Y%m%d}.xlsx"


CAMPAIGN_EXPORT_KIND = JobKind(
    key=CAMPAIGN_EXPORT,
    label="行动进度导出",
    run=_run_export,
    permission=PERM_VIEW,
    verb="导出",
    result_name=_export_name,
    result_label="下载 xlsx",
    # Built for the requester: a union that assists groups sees their counts across the
    # campaign (docs/decisions/0010), which others of the unit's jurisdiction may not.
    result_owner_only=True,
    back=_back("行动进度", "campaigns:unit"),
    describe=_describe,
)
