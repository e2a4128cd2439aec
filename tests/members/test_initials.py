"""Pinyin initials for name search: one character at a time, without pypinyin's phrase table."""

import subprocess
import sys

from ruhui.members.personal import name_initials


def test_initials_of_common_names():
    assert name_initials("张伟") == "zw"
    assert name_initials("欧阳娜娜") == "oynn"
    assert name_initials("王 A") == "w a"
    assert name_initials("阿依古丽·买买提") == "aygl·mmt"


def _gb2312_hanzi():
    for code in range(0x4E00, 0x9FA6):
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        yield chr(code)


def test_every_gb2312_character_gives_one_letter():
    """All 6,763 characters of GB 2312 (the ones names are written in) have an initial."""
    characters = list(_gb2312_hanzi())
    assert len(characters) == 6763
    assert all("a" <= name_initials(ch) <= "z" for ch in characters)


def test_a_process_that_computes_no_initials_never_loads_pypinyin():
    """A document or figures worker imports the registry's code without pypinyin's tables (about
    58 MB); computing initials loads the character table only, not the phrase table."""
    probe = (
        "import sys, django; django.setup();"
        "import ruhui.members.services, ruhui.projects.documents;"
        "assert 'pypinyin' not in sys.modules;"
        "from ruhui.members.personal import name_initials; assert name_initials('张伟') == 'zw';"
        "from pypinyin import constants; assert not constants.PHRASES_DICT"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)  # noqa: S603 (this interpreter, a literal)
