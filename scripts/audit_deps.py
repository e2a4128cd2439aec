"""`make audit`, first half: known vulnerabilities of the packages installed in .venv.

Requirement (issue 19 #11): 0 known vulnerabilities that have a fix. The project itself (ruhui,
installed editable) is skipped: a different package of that name exists on the registry.

1. pip-audit (pinned dev dependency) audits every installed distribution against the registry's
   vulnerability data for that exact release. A vulnerability with a fix version fails the audit;
   one without a fix is listed and does not (nothing to upgrade to).
2. pip-audit *skips* a distribution whose release data the service does not answer for, and then
   still prints "No known vulnerabilities found" and exits 0 — a false green (seen on a machine
   whose registry mirror serves only the project-level JSON: all 103 were skipped). Every
   skipped distribution is therefore checked again from the project-level JSON:
   - installed release == the newest release: that JSON's `vulnerabilities` are exactly those of
     the installed release → any with `fixed_in` fails;
   - a newer release exists in the installed release's own series (same major.minor, i.e. a
     patch release, where maintained series ship their security fixes) → fails: upgrade the pin;
   - the installed release is the newest of its series, a newer series exists → listed as
     "unverified" (its own vulnerability data cannot be had here) and counted; not a failure.
   A distribution that cannot be checked at all (no answer) fails.

Prints one line per finding and a summary; exits 1 on any failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SKIP = {"ruhui"}


def _json_base() -> str:
    """The registry's JSON API root: $AUDIT_JSON_API, else pip's own default index."""
    if os.environ.get("AUDIT_JSON_API"):
        return os.environ["AUDIT_JSON_API"].rstrip("/")
    from pip._internal.models.index import PyPI

    return PyPI.pypi_url.rstrip("/")


def run_pip_audit() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "audit.json"
        command = [
            str(Path(sys.executable).with_name("pip-audit")),
            "--local",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--desc",
            "off",
            "--format",
            "json",
            "--output",
            str(out),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not out.exists():
            sys.stderr.write(result.stderr)
            raise SystemExit(f"pip-audit 没有运行完（退出码 {result.returncode}），见上。")
        return json.loads(out.read_text())


def installed_versions() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }


def _project_json(name: str) -> dict | None:
    url = f"{_json_base()}/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (https, fixed host)
            return json.load(response)
    except OSError:
        return None


def _releases(data: dict) -> list[Version]:
    versions = []
    for text, files in data.get("releases", {}).items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if files and all(file.get("yanked") for file in files):
            continue
        versions.append(version)
    return versions


def check_skipped(name: str, installed: str) -> tuple[str, str]:
    """('ok' | 'fail' | 'unverified', text) for a distribution pip-audit could not audit."""
    data = _project_json(name)
    if data is None:
        return "fail", f"{name} {installed}：取不到漏洞数据，无法审计"
    ours = Version(installed)
    latest = Version(data["info"]["version"])
    if ours == latest:
        fixable = [v for v in data.get("vulnerabilities") or [] if v.get("fixed_in")]
        if fixable:
            ids = ", ".join(f"{v['id']}（修复于 {', '.join(v['fixed_in'])}）" for v in fixable)
            return "fail", f"{name} {installed}：{ids}"
        return "ok", ""
    series = [v for v in _releases(data) if v.release[:2] == ours.release[:2] and v > ours]
    if series:
        return "fail", (
            f"{name} {installed}：同一系列有更新的补丁版本 {max(series)}，该版本的漏洞数据此处取不到，"
            f"请把依赖升级到 {max(series)}"
        )
    return "unverified", f"{name} {installed}（最新 {latest}；本系列已是最新补丁版本）"


def main() -> int:
    report = run_pip_audit()
    versions = installed_versions()
    failures, unfixed, unverified = [], [], []
    audited = skipped = 0
    pending = []
    for dep in report["dependencies"]:
        name = canonicalize_name(dep["name"])
        if name in SKIP:
            continue
        if "skip_reason" in dep:
            skipped += 1
            pending.append((name, versions.get(name, "")))
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            line = f"{name} {dep['version']}：{vuln['id']}"
            if vuln.get("fix_versions"):
                failures.append(f"{line}（修复于 {', '.join(vuln['fix_versions'])}）")
            else:
                unfixed.append(f"{line}（尚无修复版本）")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda item: check_skipped(*item), pending))
    checked = sum(status != "unverified" for status, _ in results)
    for status, text in results:
        if status == "fail":
            failures.append(text)
        elif status == "unverified":
            unverified.append(text)
    for title, lines in (
        ("须处理：有修复版本的已知漏洞，或同一系列已有更新的补丁版本", failures),
        ("尚无修复版本的已知漏洞", unfixed),
        ("未能核对（该版本的漏洞数据取不到）", unverified),
    ):
        if lines:
            print(f"{title}：")
            for line in sorted(lines):
                print(f"  {line}")
    print(
        f"pip-audit: {audited + skipped} packages ({audited} by pip-audit, {checked} by the "
        f"project data, {len(unverified)} unverified), {len(failures)} failing "
        f"(known vulnerabilities with a fix, or a newer patch release), {len(unfixed)} "
        "known vulnerabilities without a fix"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
