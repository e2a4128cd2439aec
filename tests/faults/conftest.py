"""The fault drills (`make faults`): their own PostgreSQL cluster on port 5433 (tests/pgcluster.py),
never the shared server on 5432, which they would otherwise have to stop.

`make faults` sets DATABASE_URL to the scratch cluster; the session fixture below starts it before
pytest-django creates the test database in it, and stops and deletes it at the end, failed or not.
Programs the drills start (db_worker, gunicorn) get the same database, secrets and job folder."""

import base64
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.pgcluster import Cluster

PORT = int(os.environ.get("RUHUI_FAULTS_PG_PORT", "5433"))
RUHUI = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ruhui"


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = Cluster(port=PORT).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(pg_cluster):
    """Point the test database at the scratch cluster (before pytest-django creates it)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(
            "make faults 需要 PostgreSQL：请设置 DATABASE_URL=postgres://postgres@127.0.0.1:"
            f"{PORT}/ruhui_faults（或直接运行 make faults）。",
            returncode=2,
        )
    db.update(HOST="127.0.0.1", PORT=str(pg_cluster.port), USER="postgres", PASSWORD="")


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def child_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a program started against the test database: the same secrets (so
    it reads what this process encrypted), the same job folder, its own var/ (a file cache for
    progress, shared with this process through `progress_cache`)."""
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "RUHUI_ENV": "development",
        "DEBUG": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "RUHUI_FIELD_KEYS": json.dumps(
            {str(k): _b64(v) for k, v in settings.RUHUI_FIELD_KEYS.items()}
        ),
        "RUHUI_BLIND_INDEX_KEY": _b64(settings.RUHUI_BLIND_INDEX_KEY),
        "RUHUI_VAR_DIR": str(var_dir),
        "RUHUI_JOB_FILES": str(settings.RUHUI_JOB_FILES),
        "RUHUI_TASK_BACKEND": "db",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def progress_cache(var_dir: Path):
    """The file cache a development-profile program under var_dir reports progress to."""
    from django.core.cache.backends.filebased import FileBasedCache

    return FileBasedCache(str(var_dir / "cache" / "progress"), {})


def stop_process(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it does not exit: never leave a child behind."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def wait_for(predicate, *, timeout: float, interval: float = 0.02, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
