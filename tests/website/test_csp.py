"""The Content-Security-Policy header (website.middleware.ContentSecurityPolicyMiddleware):
built once for the plain pages, and for every view django-csp's decorators adjust, the
header django-csp's own middleware writes. Each case runs after plain pages have been
answered, so that the policy built once is there to be (wrongly) reused."""

import re

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, NONE
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from website.middleware import ContentSecurityPolicyMiddleware


def plain(request):
    return HttpResponse("page")


def reads_nonce(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


VIEWS = {
    "plain": plain,
    "update": csp_update({"img-src": ["https://images.example"]})(plain),
    "replace": csp_replace({"script-src": ["https://scripts.example"]})(plain),
    "config": csp({"default-src": [NONE]})(plain),
    "report-only": csp({"default-src": [NONE]}, REPORT_ONLY=True)(plain),
    "exempt": csp_exempt()(plain),
    "nonce": csp_update({"script-src": [NONCE]})(reads_nonce),
}


def respond(request):
    return VIEWS[request.path.strip("/")](request)


def headers(middleware, name):
    response = middleware(RequestFactory().get(f"/{name}/"))
    # A nonce is new for each request: compare where it stands, not its value.
    return {
        header: re.sub(r"'nonce-[^']+'", "'nonce-…'", response[header])
        for header in (HEADER, HEADER_REPORT_ONLY)
        if header in response
    }


@pytest.mark.parametrize("name", VIEWS)
def test_each_view_gets_what_the_library_writes(name):
    ours = ContentSecurityPolicyMiddleware(respond)
    for _ in range(2):
        ours(RequestFactory().get("/plain/"))
    assert headers(ours, name) == headers(CSPMiddleware(respond), name)


def test_the_decorators_change_the_header():
    """So that the comparison above compares something."""
    ours = ContentSecurityPolicyMiddleware(respond)
    plain_policy = headers(ours, "plain")[HEADER]
    assert "script-src 'self'" in plain_policy
    assert headers(ours, "exempt") == {}
    assert headers(ours, "report-only") == {
        HEADER: plain_policy,
        HEADER_REPORT_ONLY: "default-src 'none'",
    }
    assert "https://images.example" in headers(ours, "update")[HEADER]
    assert "script-src https://scripts.example" in headers(ours, "replace")[HEADER]
    assert headers(ours, "config") == {HEADER: "default-src 'none'"}
    response = ours(RequestFactory().get("/nonce/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in response[HEADER]


def test_the_plain_policy_is_built_once(monkeypatch):
    ours = ContentSecurityPolicyMiddleware(respond)
    first = headers(ours, "plain")

    def build_policy(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr("csp.middleware.build_policy", build_policy)
    assert headers(ours, "plain") == first
