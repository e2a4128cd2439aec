"""Rebuild the CJK fonts the join posters are drawn with (src/ruhui/joining/fonts/).

The posters must render Chinese on a fresh machine that has only python3 and make, so the fonts
are vendored — but the full Noto Sans SC weights are ~10 MB each, so we keep a subset:

* ASCII, Latin-1 punctuation (· × ÷ …), general punctuation (— … “ ” ‘ ’),
  CJK symbols and punctuation (U+3000–303F), half-width and full-width forms (U+FF00–FFEF);
* every character of GB2312 (all 6,763 hanzi plus its symbols), found by decoding every valid
  two-byte GB2312 code with Python's ``gb2312`` codec;
* every non-ASCII character in src/ruhui/core/data/gbt2260.tsv (division names such as 滍阳镇)
  and in every .py file under src/ruhui (demo union names, the posters' own wording).

Hinting, the vertical-metrics tables and all OpenType layout features are dropped (Pillow draws
the posters with its basic layout engine, which needs neither), and the .notdef outline is kept so
a character outside the subset prints as a box instead of failing.

Source: the npm package @expo-google-fonts/noto-sans-sc@0.4.3 (Noto Sans SC, SIL OFL 1.1; its
LICENSE_FONT is copied next to the fonts as OFL.txt). Fetch it and rebuild with::

    npm pack @expo-google-fonts/noto-sans-sc@0.4.3          # → expo-google-fonts-noto-sans-sc-0.4.3.tgz
    .venv/bin/pip install fonttools                          # build-time only, not a runtime dependency
    .venv/bin/python tools/subset_font.py expo-google-fonts-noto-sans-sc-0.4.3.tgz

Re-run it when a new .py file or division name brings characters outside GB2312.
"""

import argparse
import hashlib
import io
import sys
import tarfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ruhui"
OUT = PACKAGE / "joining" / "fonts"
TARBALL_SHA256 = "0d69d0f4971d2ff574e3d93cbc218dc950bf3f3f8f8e2c008d97687ed53aee59"

#: member of the npm tarball → vendored file name. Only the Bold weight: a poster read from a few
#: metres away wants it everywhere, and each weight costs ~2 MB.
WEIGHTS = {"package/700Bold/NotoSansSC_700Bold.ttf": "NotoSansSC-Bold.ttf"}
LICENCE = "package/LICENSE_FONT"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (· × ÷ ° …)
    (0x2010, 0x2027),  # general punctuation (— … “ ” ‘ ’)
    (0x2030, 0x203B),  # ‰ ′ ″ ※
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def gb2312_characters() -> set[str]:
    """Every character GB2312 encodes, by decoding each valid two-byte code."""
    chars = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def repository_characters() -> set[str]:
    """Non-ASCII characters of the division names and of the project's Python sources."""
    files = [PACKAGE / "core" / "data" / "gbt2260.tsv", *sorted(PACKAGE.rglob("*.py"))]
    chars = set()
    for path in files:
        chars.update(ch for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x7F)
    return chars


def wanted_characters() -> set[str]:
    chars = {chr(cp) for lo, hi in RANGES for cp in range(lo, hi + 1)}
    return chars | gb2312_characters() | repository_characters()


def subset_options() -> subset.Options:
    options = subset.Options()
    options.hinting = False
    options.layout_features = []  # Pillow's basic layout engine applies no GSUB/GPOS
    options.drop_tables += ["vhea", "vmtx", "VORG", "GSUB", "GPOS", "GDEF", "BASE", "DSIG"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright and licence records
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.glyph_names = False
    options.recalc_bounds = True
    return options


def build(tarball: Path, out: Path) -> None:
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        sys.exit(f"{tarball}: sha256 {digest} is not the expected {TARBALL_SHA256}")
    chars = wanted_characters()
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        (out / "OFL.txt").write_bytes(tar.extractfile(LICENCE).read())
        for member, name in WEIGHTS.items():
            # Keep head.modified from the source so the same inputs give the same bytes.
            font = TTFont(io.BytesIO(tar.extractfile(member).read()), recalcTimestamp=False)
            subsetter = subset.Subsetter(subset_options())
            subsetter.populate(unicodes=[ord(ch) for ch in chars])
            subsetter.subset(font)
            font.save(out / name)
            size = (out / name).stat().st_size
            glyphs = len(font.getGlyphOrder())
            print(f"{out / name}: {glyphs} glyphs, {size / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="expo-google-fonts-noto-sans-sc-0.4.3.tgz")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    args = parser.parse_args()
    build(args.tarball, args.out)


if __name__ == "__main__":
    main()
