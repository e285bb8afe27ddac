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
    """What the desk's article or book form would post as it stands: every field's value."""
    page = BeautifulSoup(response.content, "html.parser")
    form = page.select_one("form#article_form, form#book_form")
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
