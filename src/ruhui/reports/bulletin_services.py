"""Every change to a 通报: create, edit (a draft), render (a task writes the figures and the
files), publish (freezes them), correct (a new version naming its reason). Each step checks who
may act, locks the row, checks again on the locked row (「已被他人处理」), then writes the change,
one append-only `BulletinEvent` and one audit row in one transaction. Bad input raises
ValidationError with a Chinese message naming the field and the fix."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.campaigns.models import Campaign
from ruhui.core.private import private_dir, private_file
from ruhui.reports import bulletin_files as bf
from ruhui.reports.bulletins import bulletin_content, bulletin_figures, is_month_end
from ruhui.reports.choices import BULLETIN_FILES, BulletinStatus
from ruhui.reports.models import BULLETIN_NUMBER_RE, Bulletin, BulletinEvent

MSG_CUT_OFF = "数据截止日期应为月末（如 2019-09-30），{day} 不是月末：请改为该月的最后一天。"
MSG_CUT_OFF_FORMAT = "数据截止日期应写成 2019-09-30 的形式（月末）。"
MSG_CUT_OFF_OUTSIDE = (
    "数据截止日期 {day} 不在集中行动期间（{start} 至 {end}）内：请选择期间内的月末。"
)
MSG_NUMBER = (
    "文号「{number}」格式不对：应写成 平工组〔2019〕12号 的形式（机关代字、〔年份〕、序号、号）。"
)
MSG_TITLE = "请填写标题，如：关于2019年农民工入会集中行动推进情况的通报（最多 120 字）。"
MSG_DUPLICATE = (
    "截至 {day} 的通报已经建立（{status}）：请打开已有的通报；发布后如需修改，请发布更正。"
)
MSG_NOT_OWNER = "通报由{owner}编写和发布；您所在的单位不能编写它。"
MSG_NOT_PUBLISHER = "只有{owner}的管理员可以发布或更正通报。"
MSG_PUBLISHED = "该通报已{status}，不能修改：如需修改，请在通报页面点击“发布更正”，写明更正原因。"
MSG_TAKEN = "已被他人处理：该通报现在的状态是「{status}」，请刷新页面查看最新状态。"
MSG_NOT_RENDERED = "通报文件还没有生成：请先点击“生成文件”，核对 Word 和 PDF 后再发布。"
MSG_RENDER_FAILED = (
    "生成文件失败（{detail}）：请重新点击“生成文件”；如果再次失败，请把这段说明告诉系统管理员。"
)
MSG_RENDER_STALLED = (
    "通报文件排队生成已超过 15 分钟仍未完成（后台任务可能没有运行）：请重新点击“生成文件”，"
    "仍不成功请联系系统管理员。"
)
MSG_RENDERING = "通报文件正在生成，请稍候刷新页面，核对后再发布。"
MSG_CHANGED_FILE = "通报文件与生成时的校验值不一致（{kind}）：请重新生成文件后再发布。"
MSG_REASON = "请填写更正原因，说明更正了哪些内容、为什么更正。"
MSG_CORRECTING = "该通报已有一份更正稿（第{version}版，{status}）：请打开它继续修改，不要重复更正。"

NUMBER_RE = re.compile(BULLETIN_NUMBER_RE)


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:60]


def _event(bulletin, actor, action: str, from_status: str, note: str = "") -> BulletinEvent:
    return BulletinEvent.objects.create(
        bulletin=bulletin,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        at=timezone.now(),
        action=action,
        from_status=from_status,
        to_status=bulletin.status,
        note=note,
    )


def _audit(actor, bulletin, action, changes) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=bulletin,
        org_path=bulletin.campaign.owner.path,
        object_repr=str(bulletin),
        changes=changes,
    )


def _lock(bulletin: Bulletin) -> Bulletin:
    return (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("campaign__owner")
        .get(pk=bulletin.pk)
    )


def _check_author(actor, campaign: Campaign) -> None:
    if not actor.has_perm("reports.edit_bulletin"):
        raise PermissionDenied
    if actor.organization_id != campaign.owner_id:
        raise ValidationError(MSG_NOT_OWNER.format(owner=campaign.owner.name))


def _check_publisher(actor, campaign: Campaign) -> None:
    if not actor.has_perm("reports.publish_bulletin") or actor.organization_id != campaign.owner_id:
        raise ValidationError(MSG_NOT_PUBLISHER.format(owner=campaign.owner.name))


def check_cut_off(campaign: Campaign, cut_off) -> datetime.date:
    """A month end inside the campaign's window."""
    if isinstance(cut_off, str):
        try:
            cut_off = datetime.date.fromisoformat(cut_off.strip())
        except ValueError:
            raise _error("cut_off", MSG_CUT_OFF_FORMAT) from None
    if not isinstance(cut_off, datetime.date):
        raise _error("cut_off", MSG_CUT_OFF_FORMAT)
    if not is_month_end(cut_off):
        raise _error("cut_off", MSG_CUT_OFF.format(day=cut_off.isoformat()))
    if cut_off < campaign.starts_on or cut_off > campaign.ends_on:
        raise _error(
            "cut_off",
            MSG_CUT_OFF_OUTSIDE.format(
                day=cut_off.isoformat(), start=campaign.starts_on, end=campaign.ends_on
            ),
        )
    return cut_off


def _clean(data: dict) -> dict:
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 120:
        raise _error("title", MSG_TITLE)
    number = str(data.get("number") or "").strip()
    # The brackets are often typed as 〔〕's look-alikes: take the usual ones too.
    number = number.replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
    number = number.replace("【", "〔").replace("】", "〕")
    if not NUMBER_RE.fullmatch(number):
        raise _error("number", MSG_NUMBER.format(number=number))
    return {"title": title, "number": number}


def _duplicate(existing: Bulletin) -> ValidationError:
    return _error(
        "cut_off",
        MSG_DUPLICATE.format(
            day=existing.cut_off.isoformat(), status=existing.get_status_display()
        ),
    )


@transaction.atomic
def bulletin_create(*, actor, campaign: Campaign, cut_off, data: dict) -> Bulletin:
    """A draft bulletin of the campaign as of a month end: the campaign owner's admins and
    reviewers; one per cut-off (a later change is a correction of it)."""
    _check_author(actor, campaign)
    cut_off = check_cut_off(campaign, cut_off)
    cleaned = _clean(data)
    existing = Bulletin.objects.filter(campaign=campaign, cut_off=cut_off).first()
    if existing is not None:
        raise _duplicate(existing)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                campaign=campaign, cut_off=cut_off, created_by=actor, **cleaned
            )
    except IntegrityError:  # created by a colleague at the same moment
        raise _duplicate(
            Bulletin.objects.get(campaign=campaign, cut_off=cut_off, version=1)
        ) from None
    _event(bulletin, actor, "create", "")
    _audit(
        actor,
        bulletin,
        Action.CREATE,
        {"截止日期": [None, cut_off.isoformat()], "文号": [None, cleaned["number"]]},
    )
    return bulletin


@transaction.atomic
def bulletin_update(*, actor, bulletin: Bulletin, data: dict) -> Bulletin:
    """Title and 文号 of a draft (a published bulletin never changes: 「发布更正」)."""
    seen = bulletin.status
    bulletin = _lock(bulletin)
    _check_author(actor, bulletin.campaign)
    if not bulletin.editable:
        if seen == BulletinStatus.DRAFT:
            raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display()))
        raise ValidationError(MSG_PUBLISHED.format(status=bulletin.get_status_display()))
    cleaned = _clean(data)
    labels = {"title": "标题", "number": "文号"}
    changes = {
        labels[k]: [getattr(bulletin, k), v]
        for k, v in cleaned.items()
        if getattr(bulletin, k) != v
    }
    if changes:
        for name, value in cleaned.items():
            setattr(bulletin, name, value)
        # The files show the title and number: they must be written again before publishing.
        _drop_files(bulletin)
        bulletin.save(update_fields=[*cleaned, "files", "rendered_at", "updated_at"])
        _event(bulletin, actor, "update", bulletin.status)
        _audit(actor, bulletin, Action.UPDATE, changes)
    return bulletin


def _drop_files(bulletin: Bulletin) -> None:
    old = [item["path"] for item in bulletin.files.values()]
    bulletin.files, bulletin.rendered_at = {}, None
    transaction.on_commit(lambda: [Path(p).unlink(missing_ok=True) for p in old])


@transaction.atomic
def bulletin_render(*, actor, bulletin: Bulletin) -> Bulletin:
    """Queue the writing of a draft's figures (as of its cut-off) and files (a task)."""
    seen = bulletin.status
    bulletin = _lock(bulletin)
    _check_author(actor, bulletin.campaign)
    if not bulletin.editable:
        if seen == BulletinStatus.DRAFT:
            raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display()))
        raise ValidationError(MSG_PUBLISHED.format(status=bulletin.get_status_display()))
    bulletin.render_queued, bulletin.render_error = True, ""
    bulletin.save(update_fields=["render_queued", "render_error", "updated_at"])
    _event(bulletin, actor, "render", bulletin.status)
    pk = bulletin.pk

    def enqueue():
        from ruhui.reports.tasks import render_bulletin

        render_bulletin.enqueue(pk)

    transaction.on_commit(enqueue)
    return bulletin


def previous_published(bulletin: Bulletin) -> Bulletin | None:
    """The campaign's latest published bulletin before this one's cut-off."""
    return (
        Bulletin.objects.filter(
            campaign_id=bulletin.campaign_id,
            status=BulletinStatus.PUBLISHED,
            cut_off__lt=bulletin.cut_off,
        )
        .order_by("-cut_off", "-version")
        .first()
    )


def _folder() -> Path:
    return private_dir(Path(settings.RUHUI_ATTACHMENTS) / "bulletins")


def _sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_files(bulletin: Bulletin, content: bf.BulletinContent) -> dict:
    stem = f"{bulletin.campaign.slug}-{bulletin.cut_off:%Y%m%d}-v{bulletin.version}"
    stem += f"-{secrets.token_hex(4)}"
    folder = _folder()
    paths = {kind: folder / f"{stem}.{ext}" for kind, (_label, ext) in BULLETIN_FILES.items()}
    written = []
    try:
        chart = bf.chart_png(content)
        private_file(paths["png"]).write_bytes(chart)
        written.append(paths["png"])
        for kind, writer in (("docx", bf.write_docx), ("pdf", bf.write_pdf)):
            written.append(private_file(paths[kind]))
            writer(content, paths[kind], chart=chart)
        written.append(private_file(paths["xlsx"]))
        bf.write_xlsx(content, paths["xlsx"])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    name = f"{content.title}（截至{bulletin.cut_off:%Y-%m-%d}）"
    if bulletin.version > 1:
        name += f"更正第{bulletin.version - 1}次"
    return {
        kind: {
            "path": str(path),
            "name": f"{name}.{BULLETIN_FILES[kind][1]}",
            "size": path.stat().st_size,
            "sha256": _sha256(path),
        }
        for kind, path in paths.items()
    }


def bulletin_build(bulletin_id: int) -> dict:
    """The render task's work: the figures as of the cut-off, the files, their checksums and
    the characters the fonts lack (listed in the result). A bulletin no longer a draft is left
    as it is."""
    bulletin = Bulletin.objects.select_related("campaign__owner").get(pk=bulletin_id)
    if not bulletin.editable:
        return {"bulletin": bulletin_id, "skipped": bulletin.get_status_display()}
    campaign = bulletin.campaign
    previous = previous_published(bulletin)
    figures = bulletin_figures(
        campaign=campaign, cut_off=bulletin.cut_off, previous=previous.figures if previous else None
    )
    if previous is not None:
        figures["previous"] = (figures["previous"] or {}) | {
            "id": previous.pk,
            "number": previous.number,
        }
    content = bulletin_content(bulletin=bulletin, figures=figures, issued_on=timezone.localdate())
    missing = bf.missing_characters(content)
    files = _write_files(bulletin, content)
    with transaction.atomic():
        locked = _lock(bulletin)
        if not locked.editable:  # published while the files were written: keep what was frozen
            for item in files.values():
                Path(item["path"]).unlink(missing_ok=True)
            return {"bulletin": bulletin_id, "skipped": locked.get_status_display()}
        _drop_files(locked)
        locked.figures = figures
        locked.figures_at = campaign.progress_at
        locked.files = files
        locked.missing_characters = missing
        locked.rendered_at = timezone.now()
        locked.render_queued, locked.render_error = False, ""
        locked.save(
            update_fields=[
                "figures",
                "figures_at",
                "files",
                "missing_characters",
                "rendered_at",
                "render_queued",
                "render_error",
                "updated_at",
            ]
        )
        _event(locked, None, "rendered", locked.status, "、".join(missing))
    return {
        "bulletin": bulletin_id,
        "files": {kind: item["sha256"] for kind, item in files.items()},
        "missing_characters": missing,
    }


@transaction.atomic
def bulletin_render_failed(bulletin_id: int, error: BaseException) -> None:
    """The render task failed: the draft is no longer 「正在生成」, the page says why and asks
    for another try, and the history keeps the failure. (The files of an earlier rendering,
    if any, stay as they were.)"""
    bulletin = Bulletin.objects.select_for_update().filter(pk=bulletin_id).first()
    if bulletin is None or not bulletin.render_queued:
        return
    detail = f"{type(error).__name__}: {error}"[:300]
    bulletin.render_queued = False
    bulletin.render_error = MSG_RENDER_FAILED.format(detail=detail)
    bulletin.save(update_fields=["render_queued", "render_error", "updated_at"])
    _event(bulletin, None, "render_failed", bulletin.status, detail)


@transaction.atomic
def bulletin_publish(*, actor, bulletin: Bulletin) -> Bulletin:
    """发布: the campaign owner's admins publish a rendered draft; its figures and files are
    frozen with their SHA-256 (checked against the files once more). A correction, once
    published, marks the version it corrects 已更正. Two at once: one publishes, the other is
    told 「已被他人处理」."""
    seen = bulletin.status
    bulletin = _lock(bulletin)
    _check_publisher(actor, bulletin.campaign)
    if not bulletin.editable:
        if seen == BulletinStatus.DRAFT:
            raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display()))
        raise ValidationError(MSG_PUBLISHED.format(status=bulletin.get_status_display()))
    if not bulletin.rendered:
        if bulletin.render_stalled:
            raise ValidationError(MSG_RENDER_STALLED)
        raise ValidationError(MSG_RENDERING if bulletin.render_queued else MSG_NOT_RENDERED)
    for kind, item in bulletin.files.items():
        if not Path(item["path"]).exists() or _sha256(item["path"]) != item["sha256"]:
            raise ValidationError(MSG_CHANGED_FILE.format(kind=BULLETIN_FILES[kind][0]))
    bulletin.status = BulletinStatus.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.published_by = actor
    bulletin.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    _event(bulletin, actor, "publish", BulletinStatus.DRAFT)
    _audit(
        actor,
        bulletin,
        Action.UPDATE,
        {"状态": ["草稿", "已发布"]}
        | {f"{kind} SHA-256": [None, item["sha256"]] for kind, item in bulletin.files.items()},
    )
    if bulletin.corrects_id:
        old = Bulletin.objects.select_for_update().get(pk=bulletin.corrects_id)
        if old.status == BulletinStatus.PUBLISHED:
            old.status = BulletinStatus.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            _event(old, actor, "superseded", BulletinStatus.PUBLISHED, bulletin.correction_reason)
            _audit(actor, old, Action.UPDATE, {"状态": ["已发布", "已更正"]})
    return bulletin


@transaction.atomic
def bulletin_correct(*, actor, bulletin: Bulletin, reason: str) -> Bulletin:
    """发布更正: a new draft version of a published bulletin naming its reason; the published
    one stays as it is until the correction is published (then it reads 已更正)."""
    reason = (reason or "").strip()
    seen = bulletin.status
    bulletin = _lock(bulletin)
    _check_publisher(actor, bulletin.campaign)
    if bulletin.status != BulletinStatus.PUBLISHED:
        if seen == BulletinStatus.PUBLISHED:
            raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display()))
        raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display()))
    if not reason:
        raise _error("reason", MSG_REASON)
    pending = Bulletin.objects.filter(corrects=bulletin).first()
    if pending is not None:
        raise _error(
            "reason",
            MSG_CORRECTING.format(version=pending.version, status=pending.get_status_display()),
        )
    try:
        with transaction.atomic():
            correction = Bulletin.objects.create(
                campaign=bulletin.campaign,
                cut_off=bulletin.cut_off,
                title=bulletin.title,
                number=bulletin.number,
                version=bulletin.version + 1,
                corrects=bulletin,
                correction_reason=reason,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError(MSG_TAKEN.format(status=bulletin.get_status_display())) from None
    _event(correction, actor, "correct", "", reason)
    _event(bulletin, actor, "corrected", bulletin.status, reason)
    _audit(
        actor,
        correction,
        Action.CREATE,
        {"更正": [f"第{bulletin.version}版", f"第{correction.version}版"], "原因": [None, reason]},
    )
    return correction
