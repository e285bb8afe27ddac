"""Reading pages as a reader would."""

from bs4 import BeautifulSoup


def text_of(html: bytes | str, selector: str, separator: str = "") -> list[str]:
    """The text of each element matching a CSS selector, whitespace folded.

    Text from neighbouring elements is joined with `separator` (give " " for lists of
    terms and definitions, whose words would otherwise run together).
    """
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(el.get_text(separator).split()) for el in soup.select(selector)]


def form_values(response) -> dict:
    """What the desk's article, book or reading list form would post as it stands: every
    field's value."""
    page = BeautifulSoup(response.content, "html.parser")
    form = page.select_one("form#article_form, form#book_form, form#readinglist_form")
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.text.lstrip("\n")
        elif field.name == "select":
            chosen = field.select("option[selected]")
            if field.has_attr("multiple"):
                data[name] = [option["value"] for option in chosen]
            elif chosen:
                data[name] = chosen[0]["value"]
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "file"):
            data[name] = field.get("value", "")
    return data


def sign_in(client, username: str, password: str):
    """Through the desk's own login form, as an editor does."""
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def sign_in_page(page, site: str, username: str, password: str) -> None:
    """A browser page signs in through the desk's login form (Playwright)."""
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def run_worker() -> None:
    """What `manage.py db_worker` (run by `make serve`) does: every waiting task, then stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[],
    ).run()  # fmt: skip
