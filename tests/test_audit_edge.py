"""Audit of the edge (deploy/varnish/colophon.vcl) as a stranger sees it, through
varnishtest: a backend stands in for the app and says what the app says.

A page the app shares names its cache tags twice, in `xkey` (Varnish's) and in
`Surrogate-Key` (for a CDN in front, pagecache/edge.py). Both are the edge's business:
a reader was told `Surrogate-Key` on every page, the ids of whatever the page depends
on (articles, books, lists) and so which purge would drop it.

Who the reader is. Behind the TLS proxy (README, production: it connects on the socket
named "tls" and appends the reader's address to X-Forwarded-For), Varnish appended the
proxy's own address after it, and the app (TRUSTED_PROXIES=1) took that last one for
the reader: every reader was the proxy. Five wrong passwords for an editor's name from
anywhere locked that editor out for everyone; the rating limits, the newcomers' holds
and the shop clicks counted the whole world as one address.
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


# Through the TLS proxy the app is told the reader's address last, as the proxy gave it;
# on the plain socket (`make serve-edge`, no proxy in front) what a client claims stays
# before the address Varnish saw, which is last.
READER_ADDRESS_LAST = """
varnishtest "the reader's address is the last one the app is told"
server s1 {
    rxreq
    expect req.http.X-Forwarded-For == "203.0.113.9"
    expect req.http.X-Forwarded-Proto == "https"
    txresp -hdr "Cache-Control: no-store"
    rxreq
    expect req.http.X-Forwarded-For == "198.51.100.1, 203.0.113.9"
    txresp -hdr "Cache-Control: no-store"
    rxreq
    expect req.http.X-Forwarded-For == "127.0.0.1"
    txresp -hdr "Cache-Control: no-store"
    rxreq
    expect req.http.X-Forwarded-For == "203.0.113.9, 127.0.0.1"
    expect req.http.X-Forwarded-Proto == <undef>
    txresp -hdr "Cache-Control: no-store"
} -start
varnish v1 -arg "-a plain=127.0.0.1:0 -a tls=127.0.0.1:0" -vcl+backend { include "%(vcl)s"; } -start
client c1 -connect ${v1_tls_sock} {
    # The proxy, for a reader at 203.0.113.9.
    txreq -url "/books/" -hdr "X-Forwarded-For: 203.0.113.9" -hdr "X-Forwarded-Proto: https"
    rxresp
    # A reader claiming an address: the proxy appends the real one after it.
    txreq -url "/books/" -hdr "X-Forwarded-For: 198.51.100.1, 203.0.113.9" \\
        -hdr "X-Forwarded-Proto: https"
    rxresp
    # A proxy that appends nothing: its own address, as Varnish saw it.
    txreq -url "/books/" -hdr "X-Forwarded-Proto: https"
    rxresp
} -run
client c2 -connect ${v1_plain_sock} {
    # No proxy in front: a claim is kept before the address Varnish saw.
    txreq -url "/books/" -hdr "X-Forwarded-For: 203.0.113.9" -hdr "X-Forwarded-Proto: https"
    rxresp
} -run
"""


# A TLS proxy speaking the PROXY protocol (hitch) names the reader itself, as client.ip,
# which is what Varnish appends: what a reader claimed before it stays before it.
PROXY_PROTOCOL_READER_LAST = """
varnishtest "behind a PROXY protocol proxy, no claim is taken for the reader"
server s1 {
    rxreq
    expect req.http.X-Forwarded-For == "198.51.100.1, 203.0.113.9"
    txresp -hdr "Cache-Control: no-store"
} -start
varnish v1 -arg "-a tls=127.0.0.1:0,PROXY" -vcl+backend { include "%(vcl)s"; } -start
client c1 -connect ${v1_tls_sock} {
    # PROXY TCP4 203.0.113.9 127.0.0.1 1234 443
    sendhex "%(proxy_line)s"
    txreq -url "/books/" -hdr "X-Forwarded-For: 198.51.100.1"
    rxresp
} -run
"""


# The app names each request it answers (X-Request-ID, which a client may choose): a copy
# served from the edge was answered by no request of the app, and the first reader's id
# (whatever they chose) must not reach every later reader of the page.
REQUEST_ID_NOT_SHARED = """
varnishtest "a shared page's copy carries no one's request id"
server s1 {
    rxreq
    txresp -hdr "Cache-Control: public, max-age=0, s-maxage=60" \\
        -hdr "X-Request-ID: chosen-by-the-first-reader" -body "<h1>An article</h1>"
} -start
varnish v1 -vcl+backend { include "%(vcl)s"; } -start
client c1 {
    txreq -url "/articles/an-article/" -hdr "X-Request-ID: chosen-by-the-first-reader"
    rxresp
    expect resp.http.X-Cache == "miss"
    expect resp.http.X-Request-ID == "chosen-by-the-first-reader"
} -run
client c2 {
    txreq -url "/articles/an-article/"
    rxresp
    expect resp.http.X-Cache == "hit"
    expect resp.body == "<h1>An article</h1>"
    expect resp.http.X-Request-ID == <undef>
} -run
"""


def run_varnishtest(tmp_path, script: str) -> subprocess.CompletedProcess:
    path = tmp_path / "audit.vtc"
    proxy_line = b"PROXY TCP4 203.0.113.9 127.0.0.1 1234 443\r\n".hex()
    path.write_text(script % {"vcl": VCL, "proxy_line": proxy_line})
    return subprocess.run(
        ["varnishtest", "-t", "20", str(path)], capture_output=True, text=True, timeout=60
    )


def test_a_reader_is_never_told_which_tags_purge_a_page(tmp_path):
    run = run_varnishtest(tmp_path, SHARED_PAGE_TAGS_KEPT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_behind_the_tls_proxy_the_app_is_told_each_readers_own_address(tmp_path):
    run = run_varnishtest(tmp_path, READER_ADDRESS_LAST)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_behind_a_proxy_protocol_proxy_a_readers_claim_is_never_their_address(tmp_path):
    run = run_varnishtest(tmp_path, PROXY_PROTOCOL_READER_LAST)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_a_copy_from_the_edge_carries_no_other_readers_request_id(tmp_path):
    run = run_varnishtest(tmp_path, REQUEST_ID_NOT_SHARED)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
