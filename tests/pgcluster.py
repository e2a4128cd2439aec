"""A throw-away PostgreSQL cluster for tests that must stop, start or break the database server
(the fault drills; issue 20's streaming replica starts one the same way).

Started like bench/tuned_postgres.sh: `initdb` into a temporary folder with the PostgreSQL
binaries already installed (Debian: /usr/lib/postgresql/<version>/bin), run as the postgres user
when we are root, listening on 127.0.0.1:<port> with its unix socket in the same folder; small
default memory settings. `stop(delete=True)` stops it and deletes the folder. The machine's own
server (port 5432) is never touched: every command names this cluster's data directory.

    cluster = Cluster(port=5433).start()
    cluster.psql("SELECT 1")
    cluster.stop(delete=False)   # the server goes down, the data stays
    cluster.start()              # and comes back
    cluster.stop()               # down and deleted
    replica = cluster.standby(port=5437)   # a streaming replica of it (pg_basebackup -R)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path:
    """The newest installed PostgreSQL's binaries."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name.split(".")[0])
    )
    found = [p for p in found if (p / "initdb").exists()]
    if not found:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    """One scratch cluster: its folder, its port, and how to start, stop and query it."""

    def __init__(self, *, port: int = 5433, settings: dict[str, str] | None = None):
        self.port = port
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix=f"ruhui-pg-{port}-"))
        self.data = self.dir / "data"
        self.log = self.dir / "log"
        self.settings = settings or {}
        self._initialised = False
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 (the installed PostgreSQL binaries, our own arguments)
            _as_postgres([str(self.bin / args[0]), *args[1:]]),
            check=check,
            capture_output=True,
            text=True,
        )

    def _init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8")  # fmt: skip
        lines = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            "fsync": "on",
            **self.settings,
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in lines.items()))
        self._initialised = True

    def start(self) -> Cluster:
        """Create the cluster the first time, then start the server and wait until it answers."""
        if not self._initialised:
            self._init()
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "start",
                         check=False)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}\n{self.log_tail()}")
        return self

    def stop(self, *, delete: bool = True, mode: str = "fast") -> None:
        """Stop the server (`pg_ctl stop -m fast` by default); delete its folder unless told not."""
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        if delete:
            shutil.rmtree(self.dir, ignore_errors=True)
            self._initialised = False

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        """Run SQL through psql on this cluster's socket; its unaligned, tuples-only output."""
        done = subprocess.run(  # noqa: S603 (the installed psql, SQL written by the tests)
            [str(self.bin / "psql"), "-h", str(self.dir), "-p", str(self.port), "-U", "postgres",
             "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def standby(self, *, port: int) -> Cluster:
        """A streaming replica of this (running) cluster on `port`: `pg_basebackup -R` into a
        new folder (its standby.signal and primary_conninfo written by -R), then started."""
        replica = Cluster(port=port)
        try:
            self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                      "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
            with (replica.data / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {port}\nunix_socket_directories = '{replica.dir}'\n")
            replica._initialised = True
            return replica.start()
        except (OSError, RuntimeError, subprocess.CalledProcessError):
            replica.stop()  # nothing of a half-made replica stays behind
            raise

    def log_tail(self, lines: int = 20) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
