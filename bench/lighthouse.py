"""Lighthouse's four scores for the seed article page, served as in production.

Starts `make serve` (DEBUG off, gunicorn, WhiteNoise, the demo) on a scratch SQLite
database, runs Lighthouse 12.2.3 from the npm registry (`npx`; 13 wants Node 22) in
Debian's Chromium (CHROME_PATH, /usr/bin/chromium by default), once for a phone (the
default, throttled) and once for a desktop, and prints Performance, Accessibility, Best
Practices and SEO out of 100. Goal (issue 22): 100 on each. Not a test: the performance
score moves with the machine's load. Run it alone: `.venv/bin/python bench/lighthouse.py`.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import REPO, free_port, start, stop, wait_for  # noqa: E402

ARTICLE = "/articles/unlikely-allies/"
LIGHTHOUSE = "lighthouse@12.2.3"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


METRICS = [
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
]


def lighthouse_scores(url: str, *, preset: str | None, folder: Path) -> tuple[dict, dict]:
    """The four scores out of 100, and the performance metrics as Lighthouse shows them."""
    report = folder / f"lighthouse-{preset or 'mobile'}.json"
    command = [
        "npx", "--yes", LIGHTHOUSE, url,
        "--output=json", f"--output-path={report}", "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    if preset:
        command.append(f"--preset={preset}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, env=env, check=True, timeout=300)
    result = json.loads(report.read_text())
    scores = {name: round(100 * result["categories"][name]["score"]) for name in CATEGORIES}
    metrics = {name: result["audits"][name]["displayValue"] for name in METRICS}
    return scores, metrics


def main() -> None:
    if not shutil.which("npx"):
        print("lighthouse: skipped, npx is not installed (apt-get install npm)")
        return
    with tempfile.TemporaryDirectory(prefix="colophon-lighthouse-") as tmp:
        tmp = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "colophon-lighthouse-benchmark-key",
            "DATABASE_URL": f"sqlite:///{tmp / 'lighthouse.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "PORT": str(port),
            "WEB_CONCURRENCY": "1",
        }
        log = (tmp / "server.log").open("w")
        server = start(["make", "serve"], env, REPO, log)
        try:
            wait_for(port, server)
            url = f"http://127.0.0.1:{port}{ARTICLE}"
            for preset, label in [(None, "phone"), ("desktop", "desktop")]:
                scores, metrics = lighthouse_scores(url, preset=preset, folder=tmp)
                figures = ", ".join(f"{name} {score}" for name, score in scores.items())
                timings = ", ".join(f"{name} {value}" for name, value in metrics.items())
                print(f"lighthouse, article page, {label}: {figures} (goal: 100 each)")
                print(f"lighthouse, article page, {label}: {timings}")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
