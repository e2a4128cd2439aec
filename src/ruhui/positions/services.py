"""Every change to a service position (职工之家、司机之家、户外劳动者服务站点): one service per
step, called by the pages, the importer, the management command and the demo.

`clean_position` checks a position's data and returns the values to store or the refusals, each
a Chinese message naming the field and the fix; `position_create` / `position_update` write them
with one audit row. Photos are re-encoded without metadata (`tabular.photos.photo_store`): the
public page may one day show them. Awards are added and removed one at a time.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.audit.services import Action, audit_record
from ruhui.core import divisions
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.positions.choices import (
    FACILITIES,
    FACILITY_CODES,
    STATION_STANDARD,
    PositionKind,
    PositionStatus,
)
from ruhui.positions.geo import LAT_MAX, LAT_MIN, LNG_MAX, LNG_MIN, lat_in_china, lng_in_china
from ruhui.positions.models import PositionAward, PositionPhoto, ServicePosition
from ruhui.tabular.photos import photo_store
from ruhui.tabular.stored import attach_uploads

PERM_EDIT = "positions.edit_position"
PHOTOS_MAX = 9
SIX_PLACES = Decimal("0.000001")
STANDARD_FIELDS = tuple(field for field, _label in STATION_STANDARD)

#: Field → its label on the form and in the spreadsheet (the messages name it).
LABELS = {
    "code": "站点编号",
    "kind": "类型",
    "name": "名称",
    "running_union": "运营工会",
    "partner": "合作单位",
    "division_code": "所在行政区划",
    "township": "乡镇（街道）",
    "address": "地址",
    "park": "所在园区",
    "latitude": "纬度",
    "longitude": "经度",
    "hours": "开放时间",
    "open_24h": "24 小时开放",
    "groups": "服务群体",
    "status": "状态",
    "facilities": "设施",
    "opened_on": "启用日期",
    **{field: str(label) for field, label in STATION_STANDARD},
}
MAX_LENGTHS = {
    "code": 30,
    "name": 100,
    "partner": 100,
    "township": 40,
    "address": 200,
    "hours": 60,
}

MSG_REQUIRED = "请填写{label}。"
MSG_TOO_LONG = "{label}最多 {limit} 个字，现在有 {count} 个字：请精简后再保存。"
MSG_CHOICE = "{label}「{value}」不认识：请从 {options} 中选择。"
MSG_NUMBER = "{label}「{value}」不是数字：请填写以度为单位的小数，如 {example}。"
MSG_LAT_RANGE = (
    "纬度「{value}」不在中国境内（北纬 {low}–{high} 度）：请填写高德地图上该站点的纬度，"
    "如舞钢市区约为 33.30。"
)
MSG_LNG_RANGE = (
    "经度「{value}」不在中国境内（东经 {low}–{high} 度）：请填写高德地图上该站点的经度，"
    "如舞钢市区约为 113.52。"
)
MSG_SWAPPED = (
    "纬度「{lat}」和经度「{lng}」看起来填反了：纬度在前（平顶山约 33–34），经度在后（约 "
    "112–114），请互换后再保存。"
)
MSG_PAIR = "纬度和经度要一起填写：请补上{missing}，或两项都不填。"
MSG_RUNNING_NEEDS_MAP = (
    "状态为「运行」的阵地要填写纬度和经度，才能在「附近的服务站点」页面上显示：请在高德地图上"
    "找到该站点，填写其纬度和经度；暂时没有的，可先把状态设为「筹建」。"
)
MSG_FACILITY = "设施「{value}」不在设施清单中：请从 {options} 中选择。"
MSG_GROUP = "服务群体「{value}」不认识：请从八大群体中选择。"
MSG_UNION_OUTSIDE = "运营工会「{name}」不在您的管辖范围内：请选择本单位或下级单位。"
MSG_UNION_MISSING = "请选择运营工会。"
MSG_UNION_INACTIVE = "运营工会「{name}」已撤销：请选择在册的工会。"
MSG_DATE = "启用日期「{value}」不是日期：请写成 2019-06-01。"
MSG_PARK_OUTSIDE = "所在园区「{name}」不在您的管辖范围内：请从列表中选择或不选。"
MSG_PHOTOS_MANY = "每个阵地最多 {limit} 张照片，已有 {have} 张：请先删除一些再上传。"
MSG_AWARD_YEAR = "年度「{value}」不对：请填写 1949 至 {year} 之间的四位年份。"
MSG_NO_CHANGE = "没有修改任何内容。"


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_actor(actor, union: Organization) -> None:
    """The role may edit positions, and the union lies in the actor's jurisdiction."""
    if not actor.has_perm(PERM_EDIT):
        raise PermissionDenied
    if not in_jurisdiction(actor, union):
        raise PermissionDenied(MSG_UNION_OUTSIDE.format(name=union.name))


def _text(data: dict, field: str) -> str:
    return " ".join(str(data.get(field) or "").split())


def _decimal(value) -> Decimal | str | None:
    """A coordinate as Decimal (6 places), None when empty, or the text when not a number."""
    if value is None:
        return None
    if isinstance(value, Decimal | int | float):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("，", ".").replace("°", "").replace("度", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return str(value).strip()
    if not number.is_finite():
        return str(value).strip()
    if abs(number) >= 1000:  # far outside any range: kept as typed for the message
        return number
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def clean_coordinates(latitude, longitude) -> tuple[Decimal | None, Decimal | None, dict]:
    """(latitude, longitude, refusals): both empty, or both numbers inside China; a pair that
    fits only the other way round is named as swapped."""
    errors: dict[str, list[str]] = {}
    lat, lng = _decimal(latitude), _decimal(longitude)
    if isinstance(lat, str):
        errors["latitude"] = [MSG_NUMBER.format(label="纬度", value=lat, example="33.301234")]
    if isinstance(lng, str):
        errors["longitude"] = [MSG_NUMBER.format(label="经度", value=lng, example="113.521234")]
    if errors:
        return None, None, errors
    if lat is None and lng is None:
        return None, None, {}
    if lat is None or lng is None:
        field, missing = ("latitude", "纬度") if lat is None else ("longitude", "经度")
        return None, None, {field: [MSG_PAIR.format(missing=missing)]}
    if not lat_in_china(lat) and not lng_in_china(lng) and lat_in_china(lng) and lng_in_china(lat):
        message = MSG_SWAPPED.format(lat=lat.normalize(), lng=lng.normalize())
        return None, None, {"latitude": [message], "longitude": [message]}
    if not lat_in_china(lat):
        errors["latitude"] = [
            MSG_LAT_RANGE.format(value=lat.normalize(), low=LAT_MIN, high=LAT_MAX)
        ]
    if not lng_in_china(lng):
        errors["longitude"] = [
            MSG_LNG_RANGE.format(value=lng.normalize(), low=LNG_MIN, high=LNG_MAX)
        ]
    if errors:
        return None, None, errors
    return lat, lng, {}


def _choice(value, choices, label: str, errors: dict, field: str, default=None) -> str:
    text = str(value or "").strip()
    if not text:
        if default is not None:
            return default
        errors[field] = [MSG_REQUIRED.format(label=label)]
        return ""
    for code, name in choices:
        if text in (code, str(name)) or str(name).startswith(text):
            return code
    options = "、".join(str(name) for _code, name in choices)
    errors[field] = [MSG_CHOICE.format(label=label, value=text, options=options)]
    return ""


def _facilities(given, errors: dict) -> list[str]:
    labels = {str(label): code for code, label in FACILITIES}
    chosen = []
    for item in given or ():
        text = str(item).strip()
        code = text if text in FACILITY_CODES else labels.get(text)
        if code is None:
            options = "、".join(labels)
            errors.setdefault("facilities", []).append(
                MSG_FACILITY.format(value=text, options=options)
            )
        elif code not in chosen:
            chosen.append(code)
    order = [code for code, _label in FACILITIES]
    return sorted(chosen, key=order.index)


def _groups(given, errors: dict) -> list[WorkerGroup]:
    items = list(given or ())
    codes = [g.code if isinstance(g, WorkerGroup) else str(g).strip() for g in items]
    rows = list(WorkerGroup.objects.all())
    by_key = {g.code: g for g in rows} | {g.name: g for g in rows}
    found = []
    for code in codes:
        group = by_key.get(code)
        if group is None:
            errors.setdefault("groups", []).append(MSG_GROUP.format(value=code))
        elif group not in found:
            found.append(group)
    return found


def _union(actor, value, errors: dict) -> Organization | None:
    if value is None or value == "":
        errors["running_union"] = [MSG_UNION_MISSING]
        return None
    union = value if isinstance(value, Organization) else None
    if union is None:
        union = Organization.objects.filter(pk=value).first()
        if union is None:
            errors["running_union"] = [MSG_UNION_MISSING]
            return None
    if not in_jurisdiction(actor, union):
        errors["running_union"] = [MSG_UNION_OUTSIDE.format(name=union.name)]
        return None
    if not union.is_active:
        errors["running_union"] = [MSG_UNION_INACTIVE.format(name=union.name)]
        return None
    return union


def _date(value, errors: dict):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors["opened_on"] = [MSG_DATE.format(value=value)]
        return None


def clean_position(actor, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """The values of a position to store, and the refusals by field (Chinese, naming the field
    and the fix). Nothing is written."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field in ("code", "name", "partner", "township", "address", "hours"):
        value = _text(data, field)
        limit = MAX_LENGTHS[field]
        if len(value) > limit:
            errors[field] = [
                MSG_TOO_LONG.format(label=LABELS[field], limit=limit, count=len(value))
            ]
        values[field] = value
    for field in ("name", "address"):
        if not values[field] and field not in errors:
            errors[field] = [MSG_REQUIRED.format(label=LABELS[field])]
    values["kind"] = _choice(data.get("kind"), PositionKind.choices, "类型", errors, "kind")
    values["status"] = _choice(
        data.get("status"),
        PositionStatus.choices,
        "状态",
        errors,
        "status",
        default=PositionStatus.RUNNING,
    )
    try:
        values["division_code"] = divisions.validate_division_code(
            data.get("division_code") or "", field=LABELS["division_code"]
        )
    except ValidationError as exc:
        errors["division_code"] = list(exc.messages)
    lat, lng, problems = clean_coordinates(data.get("latitude"), data.get("longitude"))
    errors.update(problems)
    values["latitude"], values["longitude"] = lat, lng
    if (
        values["status"] == PositionStatus.RUNNING
        and lat is None
        and "latitude" not in errors
        and "longitude" not in errors
    ):
        errors["latitude"] = [MSG_RUNNING_NEEDS_MAP]
    values["open_24h"] = bool(data.get("open_24h"))
    values["facilities"] = _facilities(data.get("facilities"), errors)
    values["groups"] = _groups(data.get("groups"), errors)
    values["running_union"] = _union(actor, data.get("running_union"), errors)
    values["opened_on"] = _date(data.get("opened_on"), errors)
    park = data.get("park") or None
    if park is not None and not in_jurisdiction(actor, park.responsible_unit):
        errors["park"] = [MSG_PARK_OUTSIDE.format(name=park.name)]
    values["park"] = park
    for field in STANDARD_FIELDS:
        values[field] = bool(data.get(field))
    return values, errors


def _describe(value) -> str:
    if isinstance(value, list):
        return "、".join(getattr(v, "name", str(v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return getattr(value, "name", None) or str(value)


def _apply(position: ServicePosition, values: dict) -> dict:
    """Set the values on the position; the changes as {label: [old, new]}."""
    changes = {}
    for field, value in values.items():
        if field == "groups":
            old = list(position.groups.all()) if position.pk else []
            if [g.pk for g in old] != [g.pk for g in value]:
                changes[LABELS[field]] = [_describe(old), _describe(value)]
            continue
        if field in ("running_union", "park"):  # compared by id: a new position has none
            old_id = getattr(position, f"{field}_id")
            if old_id != getattr(value, "pk", None):
                old = getattr(position, field) if old_id else None
                changes[LABELS[field]] = [_describe(old), _describe(value)]
                setattr(position, field, value)
            continue
        old = getattr(position, field)
        if old != value:
            changes[LABELS[field]] = [_describe(old), _describe(value)]
            setattr(position, field, value)
    return changes


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def position_create(*, actor, data: dict) -> ServicePosition:
    """A cadre records a position run by a union of their jurisdiction (status 运行 needs its
    coordinates, so that it can be found on the near-me page)."""
    if not actor.has_perm(PERM_EDIT):
        raise PermissionDenied
    values, errors = clean_position(actor, data)
    _raise(errors)
    position = ServicePosition(created_by=actor if getattr(actor, "pk", None) else None)
    groups = values.pop("groups")
    _apply(position, values)
    position.save()
    position.groups.set(groups)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=position,
        org_path=position.running_union.path,
        changes={"名称": [None, position.name], "状态": [None, position.get_status_display()]},
    )
    return position


@transaction.atomic
def position_update(*, actor, position: ServicePosition, data: dict) -> ServicePosition:
    """Edit a position of the jurisdiction; the audit row keeps what changed (old and new)."""
    locked = ServicePosition.objects.select_for_update().get(pk=position.pk)
    _check_actor(actor, locked.running_union)
    values, errors = clean_position(actor, data)
    _raise(errors)
    groups = values["groups"]
    changes = _apply(locked, values)
    if not changes:
        raise ValidationError(MSG_NO_CHANGE)
    locked.save()
    locked.groups.set(groups)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        org_path=locked.running_union.path,
        changes=changes,
    )
    return locked


@transaction.atomic
def position_add_photos(*, actor, position: ServicePosition, uploads) -> list[PositionPhoto]:
    """JPG/PNG photos of a position, re-encoded without metadata (no GPS, no camera data)."""
    _check_actor(actor, position.running_union)
    uploads = list(uploads or ())
    have = position.photos.count()
    if have + len(uploads) > PHOTOS_MAX:
        raise _error("photos", MSG_PHOTOS_MANY.format(limit=PHOTOS_MAX, have=have))
    photos = attach_uploads(
        PositionPhoto, uploads, actor=actor, field="photos", store=photo_store, position=position
    )
    if photos:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=position,
            org_path=position.running_union.path,
            changes={"照片": [None, "、".join(p.original_name for p in photos)]},
        )
    return photos


@transaction.atomic
def position_remove_photo(*, actor, photo: PositionPhoto) -> None:
    """Remove a photo of a position (the file goes once the transaction commits)."""
    from ruhui.tabular.attachments import attachment_delete

    position = photo.position
    _check_actor(actor, position.running_union)
    path, name = photo.path, photo.original_name
    photo.delete()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=position,
        org_path=position.running_union.path,
        changes={"照片": [name, None]},
    )
    transaction.on_commit(lambda: attachment_delete(path))


@transaction.atomic
def award_add(*, actor, position: ServicePosition, data: dict) -> PositionAward:
    """An award or title the position received (name, awarding body, year)."""
    _check_actor(actor, position.running_union)
    name = _text(data, "name")
    awarded_by = _text(data, "awarded_by")
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [MSG_REQUIRED.format(label="荣誉名称")]
    elif len(name) > 100:
        errors["name"] = [MSG_TOO_LONG.format(label="荣誉名称", limit=100, count=len(name))]
    if len(awarded_by) > 100:
        errors["awarded_by"] = [
            MSG_TOO_LONG.format(label="授予单位", limit=100, count=len(awarded_by))
        ]
    this_year = datetime.date.today().year
    raw_year = str(data.get("year") or "").strip()
    year = int(raw_year) if raw_year.isdigit() else 0
    if not 1949 <= year <= this_year:
        errors["year"] = [MSG_AWARD_YEAR.format(value=raw_year, year=this_year)]
    _raise(errors)
    award = PositionAward.objects.create(
        position=position, name=name, awarded_by=awarded_by, year=year
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=position,
        org_path=position.running_union.path,
        changes={"荣誉": [None, str(award)]},
    )
    return award


@transaction.atomic
def award_remove(*, actor, award: PositionAward) -> None:
    """Remove an award recorded by mistake."""
    position = award.position
    _check_actor(actor, position.running_union)
    text = str(award)
    award.delete()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=position,
        org_path=position.running_union.path,
        changes={"荣誉": [text, None]},
    )
