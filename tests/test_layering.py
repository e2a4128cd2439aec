"""The apps' layering (docs/architecture.md): an app imports only apps below it, read from every
module's imports (function-level ones included). A new cycle, a kit importing a feature, or a
feature reaching into another feature fails here."""

import ast
import sys
from collections import defaultdict
from pathlib import Path

import ruhui

SRC = Path(ruhui.__file__).resolve().parent

#: Lowest first. Kits below, features in the middle, the apps that combine features on top.
LAYERS = [
    ("core",),
    ("audit", "tabular"),  # shared parts below every feature
    ("web",),
    ("orgs",),
    ("accounts",),
    ("jobs",),  # one job mechanism for every feature: model, services, the job page
    ("members",),
    ("figures",),  # registry figures by unit and month, for every feature that counts
    ("importing", "enterprises", "joining", "campaigns"),  # features: none imports another
    ("projects",),  # 项目清单+责任制: a campaign's plans, built on campaigns and enterprises
    ("reports",),  # 月报、通报、考核评比: read the campaign figures and the projects' states
    # 典型经验: submitted by units (also from a monthly report), published at /cases/; 考核评比:
    # the year-end assessment, scored from the records, the reports and the projects.
    ("cases", "assessment"),
    # 服务阵地与服务: positions, the services ledger (linked to 维护服务 projects), consultations,
    # social workers; its dashboard panel and the projects' recorded coverage are registered
    # from its AppConfig.ready (campaigns and projects import nothing of it).
    ("positions",),
    ("api", "workbench"),
    ("demo",),
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
FEATURES = set(LAYERS[8])

#: Feature → feature imports that predate the rule, each to go when the shared toolkit
#: (reading, writing, jobs) and the figures layer move below the features (issue 14 items 1–3).
#: Shrinking this list is progress; adding to it is not allowed.
KNOWN_SIDEWAYS = {
    ("campaigns", "enterprises"),
}


def app_imports() -> dict[tuple[str, str], set[str]]:
    """{(app, imported app): modules where it happens} over src/ruhui, migrations excluded."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                bits = name.split(".")
                if bits[0] == "ruhui" and len(bits) > 1 and bits[1] != app and bits[1] in LEVEL:
                    found[(app, bits[1])].add(str(path.relative_to(SRC)))
    return found


def test_every_app_has_a_layer():
    apps = {p.parent.name for p in SRC.glob("*/apps.py")}
    assert apps == set(LEVEL), f"add new apps to LAYERS: {sorted(apps ^ set(LEVEL))}"


def test_apps_import_only_apps_below_them():
    violations = []
    for (app, target), modules in sorted(app_imports().items()):
        if app not in LEVEL:
            continue
        sideways = app in FEATURES and target in FEATURES
        if sideways and (app, target) in KNOWN_SIDEWAYS:
            continue
        if sideways or LEVEL[target] >= LEVEL[app]:
            violations.append(f"{app} imports {target} in {sorted(modules)}")
    assert violations == []


def test_the_known_sideways_imports_still_exist():
    # When one is removed, remove it from KNOWN_SIDEWAYS too, so it cannot come back unseen.
    assert set(app_imports()) >= KNOWN_SIDEWAYS


def test_the_test_sees_a_violation(tmp_path, monkeypatch):
    fake = tmp_path / "ruhui"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "apps.py").write_text("")
    (fake / "core" / "bad.py").write_text("def f():\n    from ruhui.members import services\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    assert app_imports() == {("core", "members"): {"core/bad.py"}}
