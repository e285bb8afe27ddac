"""Audit: a page is stored under the address it was rendered for, and no other.

The page cache keyed a page by `request.path`, the script name and the path within the
app run together: `SCRIPT_NAME=/about` with the path `/` (the home page) is `/about/`,
as is the about page with no script name. Whoever sets the script name (gunicorn took
it from any client's `SCRIPT_NAME` header until deploy/gunicorn.conf.py said otherwise:
tests/test_audit_forwarded_headers.py) stores one page in another's place, for everyone.
"""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.page_cache


def test_a_page_rendered_under_another_script_name_is_never_served_for_this_address(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Unlikely Allies", body="Words.")
    client.get("/", SCRIPT_NAME="/about")  # the home page, its address run together: /about/
    about = client.get("/about/")
    assert about.status_code == 200
    assert "<title>About" in about.content.decode()
