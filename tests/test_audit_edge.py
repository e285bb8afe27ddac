"""Audit of the edge (deploy/varnish/colophon.vcl) as a stranger sees it, through
varnishtest: a backend stands in for the app and says what the app says.

A page the app shares names its cache tags twice, in `xkey` (Varnish's) and in
`Surrogate-Key` (for a CDN in front, pagecache/edge.py). Both are the edge's business:
a reader was told `Surrogate-Key` on every page, the ids of whatever the page depends
on (articles, books, lists) and so which purge would drop it.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

VCL = Path(__file__).resolve().parents[1] / "deploy" / "varnish" / "colophon.vcl"

pytestmark = pytest.mark.skipif(not shutil.which("varnishtest"), reason="Varnish is not installed")

SHARED_PAGE_TAGS_KEPT = """
varnishtest "a shared page's tags stay at the edge"
server s1 {
    rxreq
    txresp -hdr "Cache-Control: public, max-age=0, s-maxage=60" \\
        -hdr "xkey: articles.article:7 catalogue.book:12 site" \\
        -hdr "Surrogate-Key: articles.article:7 catalogue.book:12 site" \\
        -body "<h1>An article</h1>"
} -start
varnish v1 -vcl+backend { include "%(vcl)s"; } -start
client c1 {
    txreq -url "/articles/an-article/"
    rxresp
    expect resp.status == 200
    expect resp.http.X-Cache == "miss"
    expect resp.http.xkey == <undef>
    expect resp.http.Surrogate-Key == <undef>
    txreq -url "/articles/an-article/"
    rxresp
    expect resp.http.X-Cache == "hit"
    expect resp.body == "<h1>An article</h1>"
    expect resp.http.xkey == <undef>
    expect resp.http.Surrogate-Key == <undef>
} -run
"""


def run_varnishtest(tmp_path, script: str) -> subprocess.CompletedProcess:
    path = tmp_path / "audit.vtc"
    path.write_text(script % {"vcl": VCL})
    return subprocess.run(
        ["varnishtest", "-t", "20", str(path)], capture_output=True, text=True, timeout=60
    )


def test_a_reader_is_never_told_which_tags_purge_a_page(tmp_path):
    run = run_varnishtest(tmp_path, SHARED_PAGE_TAGS_KEPT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
