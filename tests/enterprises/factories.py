"""Enterprise test helpers: valid credit codes and enterprises made through the services."""

import itertools

from ruhui.enterprises import services
from ruhui.enterprises.codes import check_digit

_serial = itertools.count(1)


def make_uscc(division: str = "410481", prefix: str = "91") -> str:
    """A valid, unique enterprise credit code (check character computed)."""
    body = f"{prefix}{division}MA{next(_serial):07d}"[:17]
    return body + check_digit(body)


def make_enterprise(actor, unit, **data):
    fields = {"name": f"测试企业{next(_serial)}有限公司", "division_code": unit.division_code}
    if fields["division_code"].endswith("00"):
        fields["division_code"] = "410402"
    fields |= data
    park = fields.pop("park", None)
    return services.enterprise_create(actor=actor, responsible_unit=unit, data=fields, park=park)


def survey(actor, enterprise, on, **data):
    fields = {
        "surveyed_on": on,
        "union_status": "未建会",
        "reason": "01",
        "legal_rep_attitude": "观望",
    } | data
    return services.survey_record(actor=actor, enterprise=enterprise, data=fields)
