"""Load benchmark: `make serve` against a minimal Django "hello world" floor, both under
gunicorn with the same settings, measured with wrk in one run.

Prints requests per second of each at 16 connections and Colophon's share of the floor
(no goal of its own since issue 23: in production an edge answers cached pages, see
bench/edge.py; Django's page cache serves the edge's misses), then errors over 60 s at 64
connections (goal: none). Uses Redis as the shared cache when one answers on
127.0.0.1:6379, as production does; a scratch SQLite database and media folder.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = "/articles/unlikely-allies/"
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
BENCH_REDIS_DB = os.environ.get("BENCH_REDIS_DB", "3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def redis_url() -> str:
    """The Redis database the benchmarks use, flushed before each run: BENCH_REDIS_DB (3
    unless told; give another when 3 is someone else's)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return f"redis://127.0.0.1:6379/{BENCH_REDIS_DB}"
    except OSError:
        pass
    return ""


def wrk(url: str, connections: int, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx[1]) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    requests = int(re.search(r"(\d+) requests in", output)[1])
    latency = re.search(r"50%\s+([\d.]+\w+)", output)[1]
    return {"rps": rps, "errors": errors, "requests": requests, "median": latency}


def start(command: list[str], env: dict, cwd: Path, log) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def main() -> None:
    if not shutil.which("wrk"):
        print("load: skipped, wrk is not installed (apt-get install wrk)")
        return
    with tempfile.TemporaryDirectory(prefix="colophon-load-") as tmp:
        tmp = Path(tmp)
        colophon_port, floor_port = free_port(), free_port()
        cache = redis_url()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "colophon-load-benchmark-key",
            "DATABASE_URL": f"sqlite:///{tmp / 'load.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "PORT": str(colophon_port),
            "WEB_CONCURRENCY": WORKERS,
            # Production logging (a JSON line per request) stays on: it is part of the cost.
            **({"CACHE_URL": cache} if cache else {"PAGE_CACHE_SECONDS": "3600"}),
        }
        if cache:
            subprocess.run(["redis-cli", "-n", BENCH_REDIS_DB, "flushdb"], capture_output=True)
        log = (tmp / "servers.log").open("w")
        colophon = start(["make", "serve"], env, REPO, log)
        floor = start(
            [str(REPO / ".venv/bin/gunicorn"), "floor.wsgi:application", "--bind",
             f"127.0.0.1:{floor_port}", "--workers", WORKERS],
            {**os.environ, "PYTHONPATH": str(REPO / "bench")}, REPO, log,
        )  # fmt: skip
        try:
            wait_for(colophon_port, colophon)
            wait_for(floor_port, floor)
            article_url = f"http://127.0.0.1:{colophon_port}{ARTICLE}"
            wrk(article_url, 4, 2)  # warm: the first request fills the page cache
            wrk(f"http://127.0.0.1:{floor_port}/", 4, 2)
            floor_run = wrk(f"http://127.0.0.1:{floor_port}/", 16, 10)
            cached = wrk(article_url, 16, 10)
            share = 100 * cached["rps"] / floor_run["rps"]
            where = "Redis" if cache else "local memory"
            print(
                f"load, 16 connections, {WORKERS} gunicorn workers: floor {floor_run['rps']:,.0f} "
                f"req/s; cached article page ({where}) {cached['rps']:,.0f} req/s, median "
                f"{cached['median']} = {share:.0f}% of the floor (an edge: bench/edge.py)"
            )
            soak = wrk(article_url, 64, 60)
            print(
                f"load, 64 connections for 60 s: {soak['requests']:,} requests, "
                f"{soak['rps']:,.0f} req/s, {soak['errors']} errors (goal 0)"
            )
        finally:
            stop(colophon)
            stop(floor)
            log.close()


if __name__ == "__main__":
    main()
