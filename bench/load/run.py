"""The portal under load as an operator runs it (issue #25): gunicorn with the production
settings on 127.0.0.1, locust users beside the bare view served by the same server in the
same run. For each user count (1 and 16), the bare view, then each scenario of
bench/load/locustfile.py, then the bare view again, each for --seconds (30 s):

- latency p50/p95/p99, requests per second and errors, from locust's CSV statistics;
- the server's CPU per request: utime + stime of the gunicorn master and workers from
  /proc/<pid>/stat before and after, divided by the requests, and the same for the
  PostgreSQL backends serving the database (pg_stat_activity; parallel query workers,
  short-lived, are not counted);
- the workers' peak RSS during the scenario (VmHWM, reset before each one);
- before each scenario, a wait until the server is idle (no worker spending CPU, no query
  running), so that requests left queued by the previous one are not counted in it;
- each scenario's p95 and throughput as ratios to the bare view's (the mean of the two
  bare-view runs around it at the same user count).

The database is LOADBENCH_DATABASE_URL, else DATABASE_URL: PostgreSQL holding the data set
of `bench/kpi_snapshots.py --keep` (else "skipped", exit 0). The server's environment:
DJANGO_DEBUG off, a fresh DJANGO_SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
DJANGO_SECURE_SSL_REDIRECT=false (no TLS proxy in front), static files collected into
var/static as in production; Redis for cache, throttles and the Celery broker is REDIS_URL
with the database number --redis-db (9), so the tasks the pickups enqueue reach no one's
worker (they are deleted with the run's keys at the end); AXES_PROXY_COUNT=1 so the
citizens' lookups come from many addresses (X-Forwarded-For) as through the TLS proxy;
the postal partner's own limit is --partner-limit requests a minute. Prints the table as
markdown; every request goes to 127.0.0.1 and every run stops by itself."""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
if os.environ.get("LOADBENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["LOADBENCH_DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# The sessions made here must be read by the server: both sign with this key.
os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)

import django

django.setup()

import prepare
from django.db import connection
from scenarios import BASELINE, SCENARIOS
from server import (
    cpu_ticks,
    free_port,
    peak_memory_mib,
    processes,
    reset_peak_memory,
    settle,
    spent,
    start_server,
    stop_server,
)

BIN = Path(sys.executable).parent


def redis_url(base: str, database: int) -> str:
    parts = urlsplit(base or "redis://127.0.0.1:6379/0")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def server_environment(port: int, redis: str, fixture_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": redis,
        "CACHE_KEY_PREFIX": "loadbench",
        "PORTAL_BENCH_BARE_VIEW": "1",
        "AXES_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
        "LOADBENCH_FIXTURE": str(fixture_path),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def database_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def locust_stats(prefix: Path) -> dict[str, float]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as file:
        total = next(row for row in csv.DictReader(file) if row["Name"] == "Aggregated")
    figures = {
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
    }
    for share in ("50%", "95%", "99%"):
        figures[share] = float(total[share]) if total[share] != "N/A" else float("nan")
    with open(f"{prefix}_failures.csv", encoding="utf-8") as file:
        figures["reasons"] = sorted({row["Error"] for row in csv.DictReader(file)})
    return figures


def measure(
    name: str, users: int, seconds: int, server: subprocess.Popen, run: dict, number: int
) -> dict:
    waited = settle(server, busy_queries)
    workers = processes(server.pid)
    reset_peak_memory(workers[1:])
    backends = database_backends()
    before, before_database = cpu_ticks(workers), cpu_ticks(backends)
    prefix = run["directory"] / f"{number:02d}-{name.replace(' ', '-')}-{users}"
    command = [
        str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), SCENARIOS[name],
        "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--stop-timeout", "5", "--host", run["host"], "--csv", str(prefix),
        "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    subprocess.run(  # noqa: S603 - locust on our own locustfile
        command,
        env=run["environment"],
        check=True,
        timeout=seconds + 60,
        stdout=subprocess.DEVNULL,
        stderr=(run["directory"] / f"{prefix.name}.log").open("w"),
    )
    workers = processes(server.pid)
    server_seconds = spent(before, cpu_ticks(workers))
    database_seconds = spent(before_database, cpu_ticks(sorted({*backends, *database_backends()})))
    figures = locust_stats(prefix)
    requests = max(figures["requests"], 1)
    return {
        "scenario": name,
        "users": users,
        **figures,
        "server_cpu_ms": server_seconds * 1000 / requests,
        "database_cpu_ms": database_seconds * 1000 / requests,
        "peak_rss_mib": peak_memory_mib(workers[1:]),
        "settled_seconds": waited,
    }


def busy_queries() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def table(rows: list[dict]) -> str:
    lines = [
        "| scenario | users | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| gunicorn CPU ms/req | PostgreSQL CPU ms/req | worker peak RSS MiB "
        "| p95 / bare | req/s / bare |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        bare = [r for r in rows if r["users"] == row["users"] and r["scenario"] == BASELINE]
        bare_p95 = sum(r["95%"] for r in bare) / len(bare)
        bare_rps = sum(r["rps"] for r in bare) / len(bare)
        ratios = (
            "— | —"
            if row["scenario"] == BASELINE
            else f"{row['95%'] / bare_p95:.1f} | {row['rps'] / bare_rps:.2f}"
        )
        lines.append(
            f"| {row['scenario']} | {row['users']} | {row['requests']:,} | {row['rps']:.1f} "
            f"| {row['50%']:.0f} | {row['95%']:.0f} | {row['99%']:.0f} | {row['errors']} "
            f"| {row['server_cpu_ms']:.1f} | {row['database_cpu_ms']:.1f} "
            f"| {row['peak_rss_mib']:.0f} | {ratios} |"
        )
    return "\n".join(lines)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="per scenario and user count")
    parser.add_argument("--users", default="1,16", help="user counts, comma-separated")
    measured = ",".join(name for name in SCENARIOS if name != BASELINE)
    parser.add_argument("--scenarios", default=measured, help=f"comma-separated: {measured}")
    parser.add_argument("--warm-up", type=int, default=5, help="seconds a scenario, unmeasured")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--partner-limit", type=int, default=12000, help="pickups a minute")
    parser.add_argument("--lookups", type=int, default=500, help="dossiers to look up")
    return parser.parse_args()


def main() -> None:
    arguments = options()
    if connection.vendor != "postgresql":
        print(
            "skipped: needs PostgreSQL with the data set (LOADBENCH_DATABASE_URL or DATABASE_URL)"
        )
        return
    missing = prepare.data_set_missing()
    if missing:
        print(f"skipped: {missing}")
        return
    user_counts = [int(count) for count in arguments.users.split(",")]
    scenarios = [name.strip() for name in arguments.scenarios.split(",")]
    directory = Path(tempfile.mkdtemp(prefix="loadbench-"))
    fixture = prepare.prepare(
        users=max(user_counts), lookups=arguments.lookups, partner_limit=arguments.partner_limit
    )
    fixture_path = directory / "fixture.json"
    fixture_path.write_text(json.dumps(fixture))
    port, redis = free_port(), redis_url(os.environ.get("REDIS_URL", ""), arguments.redis_db)
    environment = server_environment(port, redis, fixture_path)
    run = {"directory": directory, "host": f"http://127.0.0.1:{port}", "environment": environment}
    server = start_server(port, arguments.workers, environment, directory / "gunicorn.log")
    rows = []
    try:
        # Each worker compiles its templates and fills its caches once: not measured.
        for name in [BASELINE, *scenarios] if arguments.warm_up else []:
            measure(name, arguments.workers, arguments.warm_up, server, run, 0)
        for users in user_counts:
            for name in [BASELINE, *scenarios, BASELINE]:
                rows.append(measure(name, users, arguments.seconds, server, run, len(rows) + 1))
                row = rows[-1]
                print(
                    f"  {name}, {users} users: {row['rps']:.1f} req/s "
                    f"(after {row['settled_seconds']:.0f} s for the server to settle)",
                    file=sys.stderr,
                )
    finally:
        stop_server(server)
        prepare.clean_up(fixture)
        forget_redis(redis)
    report(rows, fixture, arguments, directory)


def forget_redis(url: str) -> None:
    """Deletes the run's cache keys and the tasks it queued (no worker reads this database)."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter("loadbench:*"):
        client.delete(key)
    for queue in ("celery", "notifications", "webhooks"):
        client.delete(queue)


def report(rows: list[dict], fixture: dict, arguments: argparse.Namespace, directory: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        dossiers = cursor.fetchone()[0]
    scopes = fixture["scopes"]
    print(
        f"\ndata set: {dossiers:,} dossiers ({connection.settings_dict['NAME']}); province "
        f"{scopes['province']}, commune {scopes['commune']}, inbox of an agency with "
        f"{scopes['agency_open_dossiers']:,} open dossiers, counter at {scopes['reception_point']}"
    )
    print(
        f"server: gunicorn, {arguments.workers} sync workers, production settings; "
        f"{arguments.seconds} s a scenario; partner limit {arguments.partner_limit}/minute; "
        f"machine {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; files in {directory}\n"
    )
    print(table(rows))
    for row in rows:
        if row["reasons"]:
            print(f"errors of {row['scenario']} ({row['users']}): {'; '.join(row['reasons'][:3])}")
    (directory / "table.md").write_text(table(rows) + "\n")


if __name__ == "__main__":
    main()
