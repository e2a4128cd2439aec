"""The positions as an .xlsx (streaming writer, every text cell through `safe_cell`), with the
columns the importer reads: an exported list, edited and imported again, updates the same
positions (matched by 站点编号, else by running union and name)."""

from __future__ import annotations

from pathlib import Path

from ruhui.positions.choices import FACILITIES, STATION_STANDARD
from ruhui.tabular import xlsxstream
from ruhui.tabular.cells import HEADER_STYLE, TEXT_NUM_FORMAT, safe_cell

SHEET = "服务阵地"
YES, NO = "是", "否"

#: (field, header), in the order of the sheet; the importer reads the same headers.
COLUMNS = (
    ("code", "站点编号"),
    ("kind", "类型"),
    ("name", "名称"),
    ("union_code", "运营工会代码"),
    ("running_union", "运营工会"),
    ("partner", "合作单位"),
    ("division_code", "所在行政区划"),
    ("township", "乡镇（街道）"),
    ("address", "地址"),
    ("latitude", "纬度"),
    ("longitude", "经度"),
    ("hours", "开放时间"),
    ("open_24h", "24小时开放"),
    ("groups", "服务群体"),
    ("status", "状态"),
    ("facilities", "设施"),
    *((field, str(label)) for field, label in STATION_STANDARD),
    ("opened_on", "启用日期"),
)
LIST_SEPARATOR = "、"


def _row(position) -> list:
    facility_labels = dict(FACILITIES)
    values = {
        "code": position.code,
        "kind": position.get_kind_display(),
        "name": position.name,
        "union_code": position.running_union.code,
        "running_union": position.running_union.name,
        "partner": position.partner,
        "division_code": position.division_code,
        "township": position.township,
        "address": position.address,
        "latitude": f"{position.latitude:.6f}" if position.latitude is not None else "",
        "longitude": f"{position.longitude:.6f}" if position.longitude is not None else "",
        "hours": position.hours,
        "open_24h": YES if position.open_24h else NO,
        "groups": LIST_SEPARATOR.join(g.name for g in position.groups.all()),
        "status": position.get_status_display(),
        "facilities": LIST_SEPARATOR.join(
            str(facility_labels[c]) for c in position.facilities if c in facility_labels
        ),
        "opened_on": position.opened_on.isoformat() if position.opened_on else "",
    }
    for field, _label in STATION_STANDARD:
        values[field] = YES if getattr(position, field) else NO
    return [safe_cell(str(values[field])) for field, _header in COLUMNS]


def write_positions(path: Path, positions) -> int:
    """Write the positions into `path` (one sheet, text cells); the number of rows written."""
    book = xlsxstream.Workbook(
        path, styles={"header": HEADER_STYLE, "text": {"num_format": TEXT_NUM_FORMAT}}
    )
    last = len(COLUMNS) - 1
    sheet = book.add_sheet(SHEET, columns=[(0, last, 16, "text")], freeze=(1, 0))
    sheet.write_row([header for _field, header in COLUMNS], ["header"] * len(COLUMNS))
    count = 0
    for position in positions.iterator(chunk_size=500):
        sheet.write_row(_row(position), ["text"] * len(COLUMNS))
        count += 1
    sheet.autofilter(last_column=last)
    book.close()
    return count
