"""The member roster's columns, in the provincial real-name template's order (domain.md §c7).

One list serves the import template, the export and the importer's header texts, so the three
cannot drift. Each entry is a ``Column(field, header, kind)``: ``field`` is the Member field (or
``union`` / ``union_code`` for the union's name and code), ``header`` the template's column text,
``kind`` how a value is rendered and read:

- ``code``: a national or project code set; rendered as its label, read as code or label;
- ``date``: yyyy-mm-dd;
- ``bool``: 是 / 否;
- ``text``: as is, and kept as text in spreadsheets (ID numbers, phones, division codes and member
  numbers must never become numbers: Excel keeps only 15 significant digits).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from ruhui.members import codes
from ruhui.members.validation import CODED, REQUIRED

CODE, DATE, BOOL, TEXT = "code", "date", "bool", "text"
YES, NO = "是", "否"

#: Columns the system fills in: exported, but an import does not set them (会员号 is issued by
#: the system, 会籍状态 changes only through 转出 / 退会 / 除名 in the system).
READ_ONLY_FIELDS = frozenset({"member_number", "status"})


@functools.cache
def _status_codes() -> codes.CodeSet:
    from ruhui.members.models import MemberStatus

    return codes.CodeSet(
        "会籍状态", tuple((value, str(label)) for value, label in MemberStatus.choices)
    )


class Column(NamedTuple):
    """One roster column: the Member field, the header text, and how values are rendered."""

    field: str
    header: str
    kind: str

    @property
    def required(self) -> bool:
        """Whether an import row must fill this column."""
        return self.field in REQUIRED

    @property
    def importable(self) -> bool:
        """Whether an import reads this column (see READ_ONLY_FIELDS)."""
        return self.field not in READ_ONLY_FIELDS

    @property
    def codeset(self) -> codes.CodeSet | None:
        """The code set of a ``code`` column; None for the others."""
        if self.kind != CODE:
            return None
        if self.field == "status":
            return _status_codes()
        return CODED[self.field]


MEMBER_COLUMNS: list[Column] = [
    Column("name", "姓名", TEXT),
    Column("id_type", "证件类型", CODE),
    Column("id_number", "证件号码", TEXT),
    Column("sex", "性别", CODE),
    Column("birth_date", "出生日期", DATE),
    Column("ethnicity", "民族", CODE),
    Column("political_status", "政治面貌", CODE),
    Column("education", "学历", CODE),
    Column("technical_grade", "技术等级", CODE),
    Column("phone", "手机号码", TEXT),
    Column("household_type", "户籍类型", CODE),
    Column("household_division", "户籍所在地", TEXT),
    Column("employment_status", "就业状况", CODE),
    Column("employer_name", "工作单位", TEXT),
    Column("employer_uscc", "工作单位统一社会信用代码", TEXT),
    Column("employment_form", "用工形式", CODE),
    Column("union", "所属工会", TEXT),
    Column("union_code", "所属工会代码", TEXT),
    Column("member_number", "会员号", TEXT),
    Column("joined_on", "入会日期", DATE),
    Column("status", "会籍状态", CODE),
    Column("is_migrant_worker", "是否农民工", BOOL),
    Column("group", "八大群体类别", CODE),
    Column("new_employment_form", "新就业形态", BOOL),
    Column("collection_method", "采集方式", CODE),
    Column("verification_status", "实名核验状态", CODE),
    Column("provincial_status", "省库录入状态", CODE),
    Column("provincial_entered_on", "省库录入日期", DATE),
]

HEADERS: list[str] = [column.header for column in MEMBER_COLUMNS]
COLUMN_BY_FIELD: dict[str, Column] = {column.field: column for column in MEMBER_COLUMNS}
#: Personal data masked unless a full export was authorised.
PERSONAL_FIELDS = ("id_number", "phone")
