"""`make bench` (part 2): a load run of the public join form, beside the same server answering a
static file, in the same run (issue 5: p99 under 300 ms at 50 concurrent users, 0 errors).

Steps: migrate a scratch PostgreSQL database (BENCH_PG_JOIN; SQLite when BENCH_JOIN_DB=sqlite)
and seed the demo union tree; start gunicorn on loopback the way production runs it
(DEBUG off, sessions in the database, rate-limit counters in Redis); then run locust headless
three times — the static stylesheet, the join form with people pausing 1–3 s between actions,
and the join form with no pause (the saturation throughput) — and write the figures to
docs/benchmarks.md between the join-bench markers.

The per-IP limits are raised for the run (every simulated phone shares 127.0.0.1, which the
limits would rightly stop); the limiter itself still runs on every request.
"""

import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("BENCH_JOIN_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_JOIN_SECONDS", "45"))
DB = os.environ.get("BENCH_JOIN_DB", "postgres")
PG_URL = os.environ.get("BENCH_PG_JOIN", "postgres://postgres@127.0.0.1:5432/ruhui_bench_join")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
SPAWN_RATE = int(os.environ.get("BENCH_JOIN_SPAWN_RATE", "10"))  # users arriving per second
WORKERS = int(os.environ.get("BENCH_JOIN_WORKERS", str((os.cpu_count() or 2) * 2 + 1)))
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- join-bench:start -->", "<!-- join-bench:end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(workdir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        RUHUI_ENV="development",
        DEBUG="false",
        RUHUI_VAR_DIR=str(workdir),
        DATABASE_URL=PG_URL if DB == "postgres" else f"sqlite:///{workdir / 'join.sqlite3'}",
        REDIS_URL=REDIS,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        RUHUI_RATELIMITS=json.dumps({"submit_ip": [10**9, 600], "submit_id": [10, 86400]}),
    )
    return env


def prepare(env: dict) -> str:
    """Scratch database with the demo tree; returns a join-link token of a 舞钢 union."""
    if DB == "postgres":
        name = PG_URL.rsplit("/", 1)[1]
        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, env=env
        )
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, env=env)
    subprocess.run(
        [BIN / "redis-cli" if (BIN / "redis-cli").exists() else "redis-cli", "-n", "14", "flushdb"],
        check=False,
        capture_output=True,
    )
    subprocess.run([BIN / "ruhui", "migrate", "--no-input", "-v0"], check=True, env=env)
    code = (
        "from ruhui.demo.world import seed_demo; seed_demo(members=0);"
        "from ruhui.orgs.models import Organization as O;"
        "from ruhui.joining.services import join_link_for;"
        "print(join_link_for(O.objects.get(code='WG-KD')).token)"
    )
    out = subprocess.run(
        [BIN / "python", "-c", f"import django; django.setup(); {code}"],
        check=True,
        env=env | {"DJANGO_SETTINGS_MODULE": "ruhui.settings"},
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "ruhui.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--access-logfile",
            "-" if os.environ.get("BENCH_JOIN_ACCESS_LOG") else "/dev/null",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def warm_up(port: int, token: str) -> None:
    """Steady state, as a running service is: every gunicorn worker has loaded its templates
    and code tables before the measured runs (a cold worker's first page takes ~0.5 s)."""
    for _ in range(WORKERS * 10):
        for path in (f"/j/{token}/", "/static/web/css/ruhui.css"):
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()


def run_locust(env: dict, port: int, token: str, mode: str, think: bool, workdir: Path) -> dict:
    prefix = workdir / f"locust-{mode}-{'think' if think else 'nothink'}"
    result = subprocess.run(
        [
            BIN / "locust",
            "-f",
            str(ROOT / "bench" / "locust_join.py"),
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--reset-stats",
            "--run-time",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,
        env=env
        | {
            "BENCH_JOIN_MODE": mode,
            "BENCH_JOIN_TOKEN": token,
            "BENCH_JOIN_THINK": "1" if think else "0",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
    )
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics:\n{result.stderr[-3000:]}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print(failures.read_text()[:2000], file=sys.stderr)
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    return rows


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Linux {platform.release()}, Python {platform.python_version()}"


def table(results: dict) -> str:
    lines = [
        "| 场景 | 请求 | 请求/秒 | p50（毫秒） | p99（毫秒） | 错误 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "static": "样式表（同一服务器的静态文件）",
        "GET join form": "入会表单 GET",
        "POST join form": "入会表单 POST（提交申请）",
    }
    for scenario, rows in results.items():
        for name, r in rows.items():
            if name == "Aggregated":
                continue
            lines.append(
                f"| {scenario}：{labels.get(name, name)} | {r['requests']:,} | {r['rps']:.1f} "
                f"| {r['p50']:.0f} | {r['p99']:.0f} | {r['failures']} |"
            )
    return "\n".join(lines)


def write_doc(results: dict) -> str:
    think = results["入会表单（思考 1–3 秒）"]
    worst = max(think[n]["p99"] for n in ("GET join form", "POST join form"))
    errors = sum(r["failures"] for rows in results.values() for r in rows.values())
    verdict = "达到" if worst < 300 and errors == 0 else "**未达到**"
    section = f"""{START}
## 网上入会表单负载（issue 5）

命令：`make bench`（这一部分：`.venv/bin/python bench/bench_join.py`；`BENCH_JOIN_USERS`、`BENCH_JOIN_SECONDS` 可调）

机器：{machine()}；数据库：{"PostgreSQL" if DB == "postgres" else "SQLite"}；gunicorn {WORKERS} 个进程（DEBUG 关闭，会话存数据库，限流计数在 Redis）；
locust {USERS} 个并发用户，每种场景 {SECONDS} 秒，与服务器在同一台机器上（压测工具本身也占用 CPU）。

日期：{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}

{table(results)}

目标：50 个并发用户时 p99 < 300 毫秒、0 错误（按“思考 1–3 秒”的真实使用方式计）。
实测 GET/POST 中较大的 p99 为 {worst:.0f} 毫秒，错误 {errors} 个：{verdict}。
“不停顿”一行是饱和吞吐量（每个用户收到响应立刻发下一个请求），用于看余量，不是目标口径。
用户以每秒 {SPAWN_RATE} 个的速度进入，{USERS} 个全部在线后统计清零（locust `--reset-stats`），表中是 {USERS} 个用户同时在线时的稳态数字。
预热：测量前每个 gunicorn 进程先各处理约 10 次表单和样式表请求（正在运行的服务就是这个状态；冷启动进程的第一页约 0.5 秒）。
限流：压测期间把按 IP 的上限调大（所有模拟手机都来自 127.0.0.1），限流代码仍在每个请求上运行。
{END}"""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# 性能基准（Benchmarks）\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    return section


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ruhui-join-bench-") as tmp:
        workdir = Path(tmp)
        env = server_env(workdir)
        token = prepare(env)
        port = free_port()
        server = start_server(env, port)
        try:
            warm_up(port, token)
            results = {
                "静态文件": run_locust(env, port, token, "static", True, workdir),
                "入会表单（思考 1–3 秒）": run_locust(env, port, token, "join", True, workdir),
                "入会表单（不停顿）": run_locust(env, port, token, "join", False, workdir),
            }
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            if DB == "postgres":  # leave no scratch database behind
                name = PG_URL.rsplit("/", 1)[1]
                admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
                subprocess.run(
                    ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False, env=env
                )
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print(write_doc(results))


if __name__ == "__main__":
    main()
