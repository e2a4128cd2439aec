"""Every write to the organization tree: create, edit, deactivate, reactivate, move; and a base
union's standard (六有, internal systems, the fund set-up), item by item."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.core.changes import note_change
from ruhui.core.stale import check_unchanged
from ruhui.orgs.choices import ALLOWED_PARENT_KINDS, ARRANGED_ITEMS, DETAIL_ITEMS, OrgKind, Standard
from ruhui.orgs.models import Organization, StandardEvidence, StandardItem
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.tabular.stored import attach_uploads

EDITABLE_FIELDS = [
    "name",
    "short_name",
    "code",
    "kind",
    "division_code",
    "address",
    "industry",
    "founded_on",
    "chair_name",
    "contact_phone",
    "uscc",
    "home_rating",
]
AUDITED_FIELDS = [*EDITABLE_FIELDS, "groups"]
TREE_FIELDS = ["path", "depth", "numchild"]

MSG_KIND_PARENT = _("组织形式「%(kind)s」不能设在「%(parent)s」（%(parent_kind)s）之下：%(hint)s")
MSG_KIND_CHILDREN = _(
    "组织形式不能改为「%(kind)s」：下级组织「%(child)s」（%(child_kind)s）不能设在它之下。"
)
MSG_SIBLING_NAME = _("工会名称「%(name)s」在「%(parent)s」下已存在，请换一个名称或编辑已有组织。")
MSG_PARENT_INACTIVE = _("上级组织「%(parent)s」已撤销，不能在其下新建或移入组织。")
MSG_OUTSIDE = _("该组织不在您的管辖范围内。")
MSG_OWN_ROOT = _("不能撤销或移动您本人所属的组织，请联系上级工会管理员。")
MSG_ACTIVE_CHILDREN = _("「%(name)s」下还有 %(count)s 个有效的下级组织，请先撤销或移走它们。")
MSG_REASON = _("请填写撤销原因。")
MSG_MOVE_INTO_SELF = _("不能把组织移到它自己或它的下级组织之下，请选择其他上级组织。")
MSG_ALREADY_INACTIVE = _("「%(name)s」已经撤销。")
MSG_ALREADY_ACTIVE = _("「%(name)s」是有效组织，无需恢复。")
MSG_STANDARD_PERM = _("您的角色不能修改组织的达标情况，请联系本级工会管理员。")
MSG_STANDARD_UNKNOWN = _("没有「%(item)s」这个达标项目，请刷新页面后重新选择。")
MSG_STANDARD_INACTIVE = _("「%(name)s」已撤销，不能再修改它的达标情况。")
MSG_STANDARD_FUTURE = _("%(field)s不能晚于今天（%(today)s），请填写实际的日期。")
MSG_STANDARD_DATE = _("「%(item)s」标记为已达标时，请填写%(field)s。")
MSG_STANDARD_DETAIL = _(
    "「%(item)s」标记为已达标时，请填写拨缴方式，例如税务代收、财政划拨、单位拨缴。"
)
#: The note of an item that came from the old 六有 ticks (orgs migration 0004).
MIGRATED_NOTE = "由原勾选迁移"
STANDARD_AUDITED = ["met", "checked_on", "note", "detail"]


#: Checks other apps register (in their AppConfig.ready) to refuse deactivating a union that
#: still holds their records, e.g. members; each returns a Chinese message or None. This keeps
#: the tree free of imports from the apps that build on it.
DEACTIVATION_GUARDS: list[Callable[[Organization], str | None]] = []


def _kind_hint(kind: str) -> str:
    parents = ALLOWED_PARENT_KINDS.get(kind, set())
    if not parents:
        return str(_("该形式只能是最上级组织。"))
    names = "、".join(str(OrgKind(k).label) for k in OrgKind.values if k in parents)
    return str(_("请选择以下形式的上级组织：")) + names + "。"


def check_kind_under(kind: str, parent: Organization | None) -> None:
    """A kind may stand only under the parent kinds the union hierarchy allows."""
    allowed = ALLOWED_PARENT_KINDS.get(kind, set())
    if parent is None and not allowed:
        return
    if parent is None or parent.kind not in allowed:
        raise ValidationError(
            {
                "kind": ValidationError(
                    MSG_KIND_PARENT,
                    params={
                        "kind": OrgKind(kind).label,
                        "parent": parent.name if parent else "—",
                        "parent_kind": parent.get_kind_display() if parent else "—",
                        "hint": _kind_hint(kind),
                    },
                )
            }
        )


def _check_sibling_name(name: str, parent: Organization, exclude_pk=None) -> None:
    siblings = Organization.objects.get_children(parent).filter(name=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        raise ValidationError(
            {
                "name": ValidationError(
                    MSG_SIBLING_NAME, params={"name": name, "parent": parent.name}
                )
            }
        )


def _require_manageable(actor, organization: Organization) -> None:
    if not in_jurisdiction(actor, organization):
        raise PermissionDenied(MSG_OUTSIDE)


def _lock(organization: Organization) -> Organization:
    """Re-read a node under a row lock, so concurrent tree writes under it queue up."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


@transaction.atomic
def organization_create(*, actor, parent: Organization, data: dict, groups=()) -> Organization:
    """Create a union under a parent inside the actor's jurisdiction, in the allowed form."""
    _require_manageable(actor, parent)
    parent = _lock(parent)
    if not parent.is_active:
        raise ValidationError(MSG_PARENT_INACTIVE, params={"parent": parent.name})
    organization = Organization(**data)
    check_kind_under(organization.kind, parent)
    _check_sibling_name(organization.name, parent)
    organization.full_clean(exclude=TREE_FIELDS)
    organization = Organization.objects.add_child(parent, instance=organization)
    organization.groups.set(groups)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=organization,
        changes=diff(
            {},
            snapshot(organization, EDITABLE_FIELDS)
            | {"groups": sorted(g.name for g in organization.groups.all())},
        ),
    )
    note_change(None)  # founding dates and the tree behind the campaigns' figures
    return organization


@transaction.atomic
def organization_update(
    *, actor, organization: Organization, data: dict, groups=None, updated_at=None
) -> Organization:
    """Edit a union's record; its form must still fit its parent and its children.
    `updated_at` (the edit form's stamp) refuses a save over someone else's newer one."""
    _require_manageable(actor, organization)
    organization = _lock(organization)
    check_unchanged(organization, updated_at)
    before = snapshot(organization, EDITABLE_FIELDS) | {
        "groups": sorted(g.name for g in organization.groups.all())
    }
    for field, value in data.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field} is not editable")
        setattr(organization, field, value)
    parent = Organization.objects.get_parent(organization)
    if organization.kind != before["kind"]:
        check_kind_under(organization.kind, parent)
        for child in Organization.objects.get_children(organization):
            if organization.kind not in ALLOWED_PARENT_KINDS.get(child.kind, set()):
                raise ValidationError(
                    {
                        "kind": ValidationError(
                            MSG_KIND_CHILDREN,
                            params={
                                "kind": organization.get_kind_display(),
                                "child": child.name,
                                "child_kind": child.get_kind_display(),
                            },
                        )
                    }
                )
    if parent is not None:
        _check_sibling_name(organization.name, parent, exclude_pk=organization.pk)
    organization.full_clean(exclude=TREE_FIELDS)
    organization.save()
    if groups is not None:
        organization.groups.set(groups)
    after = snapshot(organization, EDITABLE_FIELDS) | {
        "groups": sorted(g.name for g in organization.groups.all())
    }
    changes = diff(before, after)
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=organization, changes=changes)
    note_change(None)  # founding dates and the tree behind the campaigns' figures
    return organization


@transaction.atomic
def organization_deactivate(*, actor, organization: Organization, reason: str) -> Organization:
    """Deactivate (撤销) a union that has no active sub-unions; its history stays."""
    _require_manageable(actor, organization)
    if organization.pk == actor.organization_id:
        raise ValidationError(MSG_OWN_ROOT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"deactivation_reason": ValidationError(MSG_REASON)})
    organization = _lock(organization)
    if not organization.is_active:
        raise ValidationError(MSG_ALREADY_INACTIVE, params={"name": organization.name})
    active_children = (
        Organization.objects.get_descendants(organization).filter(is_active=True).count()
    )
    if active_children:
        raise ValidationError(
            MSG_ACTIVE_CHILDREN, params={"name": organization.name, "count": active_children}
        )
    for guard in DEACTIVATION_GUARDS:
        if message := guard(organization):
            raise ValidationError(message)
    organization.is_active = False
    organization.deactivated_at = timezone.now()
    organization.deactivation_reason = reason[:200]
    organization.save(
        update_fields=["is_active", "deactivated_at", "deactivation_reason", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=Action.DEACTIVATE,
        obj=organization,
        changes={"is_active": [True, False], "deactivation_reason": [None, reason]},
    )
    note_change(None)  # founding dates and the tree behind the campaigns' figures
    return organization


@transaction.atomic
def organization_reactivate(*, actor, organization: Organization) -> Organization:
    """Restore a deactivated union whose parent is active."""
    _require_manageable(actor, organization)
    organization = _lock(organization)
    if organization.is_active:
        raise ValidationError(MSG_ALREADY_ACTIVE, params={"name": organization.name})
    parent = Organization.objects.get_parent(organization)
    if parent is not None and not parent.is_active:
        raise ValidationError(MSG_PARENT_INACTIVE, params={"parent": parent.name})
    organization.is_active = True
    organization.deactivated_at = None
    organization.deactivation_reason = ""
    organization.save(
        update_fields=["is_active", "deactivated_at", "deactivation_reason", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=Action.REACTIVATE,
        obj=organization,
        changes={"is_active": [False, True]},
    )
    note_change(None)  # founding dates and the tree behind the campaigns' figures
    return organization


@transaction.atomic
def organization_move(
    *, actor, organization: Organization, new_parent: Organization
) -> Organization:
    """Move a union with its whole subtree; members and figures follow by reference."""
    _require_manageable(actor, organization)
    _require_manageable(actor, new_parent)
    if organization.pk == actor.organization_id:
        raise ValidationError(MSG_OWN_ROOT)
    organization = _lock(organization)
    new_parent = _lock(new_parent)
    if new_parent.path.startswith(organization.path):
        raise ValidationError({"new_parent": ValidationError(MSG_MOVE_INTO_SELF)})
    if not new_parent.is_active:
        raise ValidationError(
            {"new_parent": ValidationError(MSG_PARENT_INACTIVE, params={"parent": new_parent.name})}
        )
    try:
        check_kind_under(organization.kind, new_parent)
    except ValidationError as exc:
        raise ValidationError({"new_parent": exc.message_dict["kind"]}) from None
    try:
        _check_sibling_name(organization.name, new_parent)
    except ValidationError as exc:
        raise ValidationError({"new_parent": exc.message_dict["name"]}) from None
    old_parent = Organization.objects.get_parent(organization)
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization = Organization.objects.get(pk=organization.pk)
    audit_record(
        actor=actor,
        action=Action.MOVE,
        obj=organization,
        changes={"parent": [old_parent.name if old_parent else None, new_parent.name]},
    )
    note_change(None)  # founding dates and the tree behind the campaigns' figures
    return organization


def standard_date_label(item: str) -> str:
    """What an item's date means: when the funds were arranged (理顺), else when it was checked."""
    return str(_("理顺日期")) if item in ARRANGED_ITEMS else str(_("检查日期"))


def _standard_error(on: str, message, **params) -> ValidationError:
    """A refusal shown on the form field `on`."""
    return ValidationError({on: ValidationError(message, params=params)})


@transaction.atomic
def standard_set(
    *,
    actor,
    union: Organization,
    item: str,
    met: bool,
    checked_on=None,
    note: str = "",
    detail: str = "",
    uploads=(),
) -> StandardItem:
    """Record whether a union meets one item of its standard, with the date, note, how (经费拨缴)
    and evidence; a met item needs its date, except one migrated from the old ticks and kept met
    without a date. The actor is recorded as the checker when anything changes."""
    _require_manageable(actor, union)
    if not actor.has_perm("orgs.manage_organization"):
        raise PermissionDenied(MSG_STANDARD_PERM)
    if item not in Standard.values:
        raise _standard_error("item", MSG_STANDARD_UNKNOWN, item=item)
    union = _lock(union)
    if not union.is_active:
        raise ValidationError(MSG_STANDARD_INACTIVE, params={"name": union.name})
    label, date_label = Standard(item).label, standard_date_label(item)
    row = StandardItem.objects.filter(union=union, item=item).first()
    before = snapshot(row, STANDARD_AUDITED) if row else {}
    today = timezone.localdate()
    if checked_on is not None and checked_on > today:
        raise _standard_error("checked_on", MSG_STANDARD_FUTURE, field=date_label, today=today)
    kept_migrated = row is not None and row.met and row.checked_on is None
    if met and checked_on is None and not kept_migrated:
        raise _standard_error("checked_on", MSG_STANDARD_DATE, item=label, field=date_label)
    detail = (detail or "").strip() if item in DETAIL_ITEMS else ""
    if met and item in DETAIL_ITEMS and not detail:
        raise _standard_error("detail", MSG_STANDARD_DETAIL, item=label)
    row = row or StandardItem(union=union, item=item)
    row.met, row.checked_on = bool(met), checked_on
    row.note, row.detail = (note or "").strip(), detail
    changes = diff(before, snapshot(row, STANDARD_AUDITED))
    if changes:
        row.checked_by = actor
        row.full_clean(exclude=["union", "checked_by"])
        row.save()
    files = attach_uploads(StandardEvidence, uploads, actor=actor, field="files", item=row)
    if files:
        changes["附件"] = [None, "、".join(f.original_name for f in files)]
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=row,
            changes=changes,
            object_repr=f"{union.name} · {label}",
        )
    return row
