"""The gunicorn server of the load benchmark, and what its processes spent (from /proc)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
PORTS = range(8400, 8500)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit("no free port in 8400-8499")


def collect_static(environment: dict) -> None:
    """As a deployment does (the manifest names every file a page links to); again only
    when a file of static/ is newer than the manifest, as compressing takes minutes."""
    manifest = ROOT / "var" / "static" / "staticfiles.json"
    sources = [path for path in (ROOT / "static").rglob("*") if path.is_file()]
    newest = max((path.stat().st_mtime for path in sources), default=0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


def start_server(port: int, workers: int, environment: dict, log: Path) -> subprocess.Popen:
    collect_static(environment)
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--access-logfile={log.with_suffix('.access.log')}",
        "--access-logformat=%(t)s %(m)s %(U)s %(s)s %(b)s %(M)sms",
    ]
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        command,
        cwd=ROOT,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=5) as answer:
                if answer.status == 200 and len(processes(server.pid)) > workers:
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(server)
    sys.exit(f"gunicorn did not answer within 90 s: see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def processes(master: int) -> list[int]:
    """The master and its workers."""
    found = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def spent(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds between the two readings; a process born meanwhile counts from zero."""
    return sum(value - before.get(pid, 0) for pid, value in after.items()) / TICKS


def reset_peak_memory(pids: list[int]) -> None:
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_memory_mib(pids: list[int]) -> float:
    peaks = [0]
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return max(peaks) / 1024


def settle(server: subprocess.Popen, busy_queries, limit: float = 180) -> float:
    """Waits (at most `limit` seconds) until the workers spend no CPU and none of their
    queries runs: requests a scenario left queued when its users stopped would otherwise be
    served, and counted, in the next scenario's time. Returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        pids = processes(server.pid)
        before = cpu_ticks(pids)
        time.sleep(1)
        if spent(before, cpu_ticks(pids)) < 0.05 and busy_queries() == 0:
            break
    return time.monotonic() - began
