"""A production process for tests that need one (settings are read once, at import): every
secret set, its var dir in a temporary folder, run in a fresh interpreter."""

import base64
import json
import os
import secrets
import subprocess
import sys

import pytest

# Anything the developer's shell might export that would change the profile under test.
PROFILE_VARS = (
    "SECRET_KEY",
    "RUHUI_FIELD_KEYS",
    "RUHUI_FIELD_KEY_ID",
    "RUHUI_BLIND_INDEX_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "STATIC_ROOT",
    "SECURE_SSL_REDIRECT",
    "CSRF_TRUSTED_ORIGINS",
    "RUHUI_ADMIN_PATH",
    "RUHUI_ALLOW_SQLITE",
)


def b64_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def production_env(tmp_path):
    """A production environment with every secret set, its var dir in a temporary folder."""
    env = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS}
    env.update(
        {
            "RUHUI_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "ruhui.settings",
            "RUHUI_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "RUHUI_FIELD_KEYS": json.dumps({"1": b64_key()}),
            "RUHUI_BLIND_INDEX_KEY": b64_key(),
            "ALLOWED_HOSTS": "ruhui.example.cn",
            # Settings never connect at start-up; no database is touched by these processes.
            "DATABASE_URL": "postgres://ruhui@db.example.cn:5432/ruhui",
        }
    )
    return env


def run(args, env, cwd):
    return subprocess.run(  # noqa: S603 (fixed arguments: this interpreter and a literal)
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
