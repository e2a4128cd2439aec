"""Rebuild the vendored CJK fonts: the join posters' (src/ruhui/joining/fonts/) and the bulletins'.

Two sets, one character set:

* ``posters`` (the default): Noto Sans SC Bold → src/ruhui/joining/fonts/, which Pillow draws the
  join posters with;
* ``reports``: Noto Sans SC Regular and Noto Serif SC Regular → src/ruhui/reports/fonts/, which
  the bulletin (通报) PDF embeds through fpdf2 (Serif for the body, Sans for headings and the table
  header) and its bar chart is drawn with (Sans).

The posters and bulletins must render Chinese on a fresh machine that has only python3 and make,
so the fonts are vendored — but the full Noto weights are ~10 MB each, so we keep a subset:

* ASCII, Latin-1 punctuation (· × ÷ …), general punctuation (— … “ ” ‘ ’),
  CJK symbols and punctuation (U+3000–303F), half-width and full-width forms (U+FF00–FFEF);
* every character of GB2312 (all 6,763 hanzi plus its symbols), found by decoding every valid
  two-byte GB2312 code with Python's ``gb2312`` codec;
* every non-ASCII character in src/ruhui/core/data/gbt2260.tsv (division names such as 滍阳镇)
  and in every .py file under src/ruhui (demo union names, the posters' own wording).

Hinting, the vertical-metrics tables and all OpenType layout features are dropped (Pillow draws
the posters with its basic layout engine, which needs neither; fpdf2, without text shaping, reads
only cmap, hmtx and the glyf/loca outlines, and subsets the font again when it embeds it), and the
.notdef outline is kept so a character outside the subset prints as a box instead of failing.
``ruhui.reports.bulletin_files.missing_characters`` lists such characters from the subsets' cmap.

Sources (SIL OFL 1.1; each package's LICENSE_FONT is copied next to the fonts as OFL.txt — the
reports' OFL.txt holds both packages' texts, Sans first), pinned by the npm tarball's SHA-256:

* @expo-google-fonts/noto-sans-sc@0.4.3 — sha256 0d69d0f4971d2ff574e3d93cbc218dc950bf3f3f8f8e2c008d97687ed53aee59
  (700Bold/NotoSansSC_700Bold.ttf, 400Regular/NotoSansSC_400Regular.ttf);
* @expo-google-fonts/noto-serif-sc@0.4.3 — sha256 ff6bcf5ba68d92dfecc05544bb150f9e724741a932354a0dd97e7289c40a3f5e
  (400Regular/NotoSerifSC_400Regular.ttf).

Fetch them and rebuild with::

    npm pack @expo-google-fonts/noto-sans-sc@0.4.3 @expo-google-fonts/noto-serif-sc@0.4.3
    .venv/bin/pip install fonttools                          # comes with fpdf2 (a runtime dependency)
    .venv/bin/python tools/subset_font.py expo-google-fonts-noto-sans-sc-0.4.3.tgz
    .venv/bin/python tools/subset_font.py --set reports \
        expo-google-fonts-noto-sans-sc-0.4.3.tgz expo-google-fonts-noto-serif-sc-0.4.3.tgz

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
SANS, SERIF = "@expo-google-fonts/noto-sans-sc@0.4.3", "@expo-google-fonts/noto-serif-sc@0.4.3"
#: npm package → SHA-256 of its `npm pack` tarball.
TARBALL_SHA256 = {
    SANS: "0d69d0f4971d2ff574e3d93cbc218dc950bf3f3f8f8e2c008d97687ed53aee59",
    SERIF: "ff6bcf5ba68d92dfecc05544bb150f9e724741a932354a0dd97e7289c40a3f5e",
}

#: set → (output folder, [(package, member of its tarball, vendored file name)]). The posters take
#: only the Bold weight: a poster read from a few metres away wants it everywhere, and each weight
#: costs ~2 MB. The bulletin takes Regular Sans (headings, table header, chart) and Serif (body).
SETS = {
    "posters": (
        PACKAGE / "joining" / "fonts",
        [(SANS, "package/700Bold/NotoSansSC_700Bold.ttf", "NotoSansSC-Bold.ttf")],
    ),
    "reports": (
        PACKAGE / "reports" / "fonts",
        [
            (SANS, "package/400Regular/NotoSansSC_400Regular.ttf", "NotoSansSC-Regular.ttf"),
            (SERIF, "package/400Regular/NotoSerifSC_400Regular.ttf", "NotoSerifSC-Regular.ttf"),
        ],
    ),
}
OUT = SETS["posters"][0]
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


def identify(tarballs: list[Path]) -> dict[str, Path]:
    """npm package → its tarball, recognised by SHA-256; exit on a tarball that is none of ours."""
    packages = {digest: package for package, digest in TARBALL_SHA256.items()}
    found = {}
    for tarball in tarballs:
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest not in packages:
            expected = ", ".join(f"{p} {d}" for p, d in TARBALL_SHA256.items())
            sys.exit(f"{tarball}: sha256 {digest} is none of the expected ({expected})")
        found[packages[digest]] = tarball
    return found


def build(tarballs: list[Path], out: Path | None = None, which: str = "posters") -> None:
    default_out, fonts = SETS[which]
    out = out or default_out
    found = identify(tarballs)
    missing = sorted({package for package, _, _ in fonts} - set(found))
    if missing:
        sys.exit(f"set {which} needs the tarball of {', '.join(missing)}")
    chars = wanted_characters()
    out.mkdir(parents=True, exist_ok=True)
    licences = []
    for package in dict.fromkeys(package for package, _, _ in fonts):
        with tarfile.open(found[package]) as tar:
            licences.append(tar.extractfile(LICENCE).read())
    # One package: its licence as it is (the posters' OFL.txt, unchanged); several: each under a
    # line naming its package.
    if len(licences) == 1:
        (out / "OFL.txt").write_bytes(licences[0])
    else:
        packages = dict.fromkeys(package for package, _, _ in fonts)
        (out / "OFL.txt").write_bytes(
            b"\n".join(
                f"==== {package} ====\n\n".encode() + text
                for package, text in zip(packages, licences, strict=True)
            )
        )
    for package, member, name in fonts:
        with tarfile.open(found[package]) as tar:
            data = tar.extractfile(member).read()
        # Keep head.modified from the source so the same inputs give the same bytes.
        font = TTFont(io.BytesIO(data), recalcTimestamp=False)
        subsetter = subset.Subsetter(subset_options())
        subsetter.populate(unicodes=[ord(ch) for ch in chars])
        subsetter.subset(font)
        font.save(out / name)
        size = (out / name).stat().st_size
        glyphs = len(font.getGlyphOrder())
        print(f"{out / name}: {glyphs} glyphs, {size / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "tarballs",
        type=Path,
        nargs="+",
        help="expo-google-fonts-noto-sans-sc-0.4.3.tgz (and, for reports, the noto-serif-sc one)",
    )
    parser.add_argument("--set", choices=sorted(SETS), default="posters", dest="which")
    parser.add_argument("--out", type=Path, help="default: the set's folder under src/ruhui")
    args = parser.parse_args()
    build(args.tarballs, args.out, args.which)


if __name__ == "__main__":
    main()
