"""Settings profiles (CFG-1, CFG-2): production refuses to start without real secrets, starts with
them, and passes Django's deployment checks. Each case runs in a fresh interpreter, because the
settings are read once at import."""

import base64
import json
import secrets

import pytest

from tests.profiles import b64_key, run

SETUP = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"


def test_production_starts_with_every_secret_set(production_env, tmp_path):
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DEBUG False"


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "RUHUI_FIELD_KEYS", "RUHUI_BLIND_INDEX_KEY", "ALLOWED_HOSTS", "DATABASE_URL"],
)
def test_production_refuses_to_start_without_a_secret(production_env, tmp_path, missing):
    del production_env[missing]
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


@pytest.mark.parametrize(
    "weak",
    [
        "short-key",
        "django-insecure-" + "x" * 60,
        "a" * 49,
    ],
    ids=["short", "django-insecure", "49-characters"],
)
def test_production_refuses_a_weak_secret_key(production_env, tmp_path, weak):
    production_env["SECRET_KEY"] = weak
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_refuses_debug(production_env, tmp_path):
    production_env["DEBUG"] = "1"
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_refuses_a_field_key_of_the_wrong_length(production_env, tmp_path):
    production_env["RUHUI_FIELD_KEYS"] = json.dumps(
        {"1": base64.b64encode(secrets.token_bytes(16)).decode()}
    )
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode != 0
    assert "32 bytes" in result.stderr


def test_production_writes_no_local_secrets(production_env, tmp_path):
    run(["-c", SETUP], production_env, tmp_path)
    assert not (tmp_path / "var" / "dev-secrets.json").exists()


def test_production_passes_the_deployment_checks(production_env, tmp_path):
    result = run(
        ["-m", "ruhui", "check", "--deploy", "--fail-level", "WARNING"], production_env, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_sqlite_unless_allowed(production_env, tmp_path):
    production_env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'ruhui.sqlite3'}"
    refused = run(["-c", SETUP], production_env, tmp_path)
    assert refused.returncode != 0
    assert "DATABASE_URL points at SQLite in production" in refused.stderr
    assert "RUHUI_ALLOW_SQLITE=1" in refused.stderr
    production_env["RUHUI_ALLOW_SQLITE"] = "1"
    allowed = run(["-c", SETUP], production_env, tmp_path)
    assert allowed.returncode == 0, allowed.stderr


def test_production_refuses_a_blind_index_key_equal_to_a_field_key(production_env, tmp_path):
    key = b64_key()
    production_env["RUHUI_FIELD_KEYS"] = json.dumps({"1": b64_key(), "2": key})
    production_env["RUHUI_BLIND_INDEX_KEY"] = key
    result = run(["-c", SETUP], production_env, tmp_path)
    assert result.returncode != 0
    assert "RUHUI_BLIND_INDEX_KEY must differ from every RUHUI_FIELD_KEYS entry" in result.stderr
