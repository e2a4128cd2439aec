"""The demo profile (RUHUI_ENV=demo), what `make demo` runs, in real processes with its real
settings: DEBUG off whatever the shell says, static files collected and served by WhiteNoise under
`runserver`, so an unknown address or another county's organization answers the Chinese 404 page,
never Django's debug page with its URL list. The profile is not production: production's checks
stay as they are (tests/test_settings_profiles.py) and the demo fails the deployment check."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ruhui.web import errors
from tests.profiles import PROFILE_VARS, run

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"
#: Django's debug 404 page and its URL list; none may reach a visitor of the demo.
DEBUG_OUTPUT = ("Using the URLconf", "URLconf", "Page not found", "DEBUG = True", "Traceback")


def demo_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS}
    env.update(
        {
            "RUHUI_ENV": "demo",
            "DJANGO_SETTINGS_MODULE": "ruhui.settings",
            "RUHUI_VAR_DIR": str(var_dir),
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo var dir as `make demo` prepares it (migrate, collectstatic), a small world signed in
    (demo_probe.py), and `ruhui runserver` serving it under the demo profile."""
    env = demo_env(tmp_path_factory.mktemp("demo") / "var")
    for args in (["migrate", "--no-input"], ["collectstatic", "--no-input", "--verbosity", "0"]):
        result = run(["-m", "ruhui", *args], env, ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
    probe = run(["-m", "tests.web.demo_probe"], env, ROOT)
    assert probe.returncode == 0, probe.stderr
    facts = json.loads(probe.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "ruhui", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"runserver did not start: {server.communicate()[1]}")
            time.sleep(0.2)
        yield {**facts, "port": port}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def get(port: int, path: str, *, method="GET", cookie: str | None = None, body=None):
    """(status, headers, text) of one request; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def cadre_cookie(demo) -> str:
    return f"{demo['session_cookie']}={demo['session']}"


def assert_chinese_404(status, headers, body):
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh-hans">' in body
    assert str(errors.MSG_404) in body
    for word in DEBUG_OUTPUT:
        assert word not in body, word
    # No URL list: Django's debug page names the patterns it tried, with their converters.
    for pattern in ("int:org_pk", "str:token", "sysadmin", "api/v1/"):
        assert pattern not in body, pattern


# ---- The profile's settings ---------------------------------------------------------------------


def test_the_demo_profile_runs_with_debug_off_and_collected_static(demo):
    assert demo["debug"] is False
    assert demo["production"] is False
    assert {"127.0.0.1", "localhost", "0.0.0.0"} <= set(demo["allowed_hosts"])  # noqa: S104
    assert "testserver" not in demo["allowed_hosts"]
    assert demo["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_the_demo_profile_refuses_debug(tmp_path):
    env = demo_env(tmp_path / "var")
    env["DEBUG"] = "1"
    result = run(["-c", SETUP], env, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be off in the demo profile" in result.stderr


def test_the_demo_profile_is_not_deployable(tmp_path):
    """Its keys are local and its cookies not HTTPS-only: the deployment check must say no."""
    result = run(
        ["-m", "ruhui", "check", "--deploy", "--fail-level", "WARNING"],
        demo_env(tmp_path / "var"),
        tmp_path,
    )
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


# ---- What `runserver` answers under it ----------------------------------------------------------


def test_static_css_is_served(demo):
    status, headers, body = get(demo["port"], "/static/web/css/ruhui.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert ".status-page" in body


def test_an_unknown_url_is_the_chinese_404(demo):
    status, headers, body = get(demo["port"], "/no/such/page/")
    assert_chinese_404(status, headers, body)
    assert "干部登录" in body and 'class="public-page"' in body


def test_another_countys_organization_is_the_chinese_404(demo):
    cookie = cadre_cookie(demo)
    assert get(demo["port"], f"/orgs/{demo['own']}/", cookie=cookie)[0] == 200
    status, headers, body = get(demo["port"], f"/orgs/{demo['foreign']}/", cookie=cookie)
    assert_chinese_404(status, headers, body)
    assert demo["foreign_name"] not in body
    assert 'class="sidenav"' in body and "返回工作台" in body  # the cadre's own layout


def test_a_refused_form_post_is_the_chinese_page(demo):
    status, _headers, body = get(
        demo["port"], "/accounts/login/", method="POST", body="username=x&password=y"
    )
    assert status == 403
    assert str(errors.TITLE_CSRF) in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body


def test_the_api_keeps_its_json_404(demo):
    status, headers, body = get(demo["port"], "/api/v1/nowhere")
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert "detail" in json.loads(body)


# ---- `make demo` runs under it --------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_runs_every_command_under_the_demo_profile():
    result = subprocess.run(
        ["make", "-n", "demo"],  # noqa: S607 (make from PATH, as the README has it)
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "bin/ruhui " in line]
    ruhui_commands = [c for c in commands if "pip " not in c]
    assert ruhui_commands, result.stdout
    for command in ruhui_commands:
        for part in command.split(";"):
            if "bin/ruhui " in part:
                assert "RUHUI_ENV=demo DEBUG=0 " in part, part
    order = [name for c in ruhui_commands for name in ("collectstatic", "runserver") if name in c]
    assert order == ["collectstatic", "runserver"]
