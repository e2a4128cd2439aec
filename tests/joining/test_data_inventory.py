"""PI-5: the public join form asks for exactly the documented fields, each with a purpose."""

import re
from pathlib import Path

from ruhui.joining.services import JOIN_FIELDS

INVENTORY = Path(__file__).resolve().parents[2] / "docs" / "data-inventory.md"


def _documented(section: str) -> list[str]:
    text = INVENTORY.read_text(encoding="utf-8").split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| ([a-z_]+) \|", text, flags=re.MULTILINE)


def test_the_join_fields_are_the_documented_ones():
    assert _documented("## 网上入会申请表") == [*JOIN_FIELDS, "consent"]


def test_the_join_form_asks_for_no_undocumented_field():
    from ruhui.joining.forms_public import JoinForm

    assert set(JoinForm.base_fields) == {*JOIN_FIELDS, "consent"}
