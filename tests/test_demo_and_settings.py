import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article
from catalogue.models import Author, Book, Contribution


def test_load_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")
    stamps = {a.slug: a.updated_at for a in Article.objects.all()}
    book_stamp = Book.objects.get().updated_at
    counts = (
        Article.objects.count(),
        Book.objects.count(),
        Author.objects.count(),
        Contribution.objects.count(),
    )
    capsys.readouterr()
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out
    assert (
        counts
        == (
            Article.objects.count(),
            Book.objects.count(),
            Author.objects.count(),
            Contribution.objects.count(),
        )
        == (3, 1, 1, 1)
    )
    assert stamps == {a.slug: a.updated_at for a in Article.objects.all()}
    assert Book.objects.get().updated_at == book_stamp


def test_load_demo_prints_the_editor_login_when_developing(db, capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    assert "editor / colophon-demo-editor" in capsys.readouterr().out


def test_load_demo_makes_no_account_with_debug_off(db, capsys, settings):
    settings.DEBUG = False
    call_command("load_demo")
    printed = capsys.readouterr().out
    assert "colophon-demo-editor" not in printed
    assert "manage.py createeditor NAME --role editor" in printed


def run_settings(*, code: str = "import django; django.setup()", **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )


@pytest.mark.skipif(os.path.exists(".env"), reason="a local .env supplies SECRET_KEY")
def test_production_settings_refuse_to_serve_without_a_secret_key():
    served = run_settings(code="import config.wsgi", DEBUG="false")
    assert served.returncode != 0
    assert "SECRET_KEY is not set" in served.stderr


@pytest.mark.skipif(os.path.exists(".env"), reason="a local .env supplies SECRET_KEY")
def test_management_commands_run_without_a_secret_key_and_say_so():
    code = "from django.core.management import execute_from_command_line as run; "
    code += "run(['manage.py', 'makemigrations', '--check', '--dry-run'])"
    result = run_settings(code=code, DEBUG="false")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert "colophon.W001" in result.stderr


def test_tasks_run_at_once_in_development_and_queue_in_production():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.TASKS['default']['BACKEND'])"
    assert "ImmediateBackend" in run_settings(code=code, DEBUG="true").stdout
    production = run_settings(code=code, DEBUG="false", SECRET_KEY="x" * 50)
    assert "django_tasks_db.DatabaseBackend" in production.stdout, production.stderr


def test_development_settings_start_with_no_environment_at_all():
    assert run_settings(DEBUG="true").returncode == 0


def test_the_demo_keeps_its_own_book_when_the_catalogue_has_another_last_battle(db, client):
    from tests.factories import make_author, make_book

    lewis = make_book(title="The Last Battle", authors=[make_author(name="C.S. Lewis")])
    assert lewis.slug == "the-last-battle"
    call_command("load_demo")
    call_command("load_demo")
    html = client.get("/articles/unlikely-allies/").content.decode()
    assert 'by <a href="/authors/stephen-harding/">Stephen Harding</a>' in html
    assert "C.S. Lewis" not in html
    assert Book.objects.get(pk=lewis.pk).isbn13 == ""


def test_postgresql_sessions_run_without_jit_compilation(db):
    """A join the planner overestimates (related books) would otherwise spend over a
    second compiling a query that runs in a millisecond."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting: CI runs the suite on it")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_every_file_a_dependency_pin_names_is_in_the_tree():
    """A pin justified by the code that leans on a library's internals goes with that code:
    `redis<9` named pagecache/backends.py long after the file was deleted."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "pyproject.toml").read_text()
    tomllib.loads(text)  # still a valid file
    comments = re.findall(r"^\s*\"[^\"]+\",\s*#(.*)$", text, re.MULTILINE)
    named = [path for comment in comments for path in re.findall(r"[\w/.]+\.py\b", comment)]
    assert named, "the pins' comments name the files that need them"
    assert [path for path in named if not (root / path).is_file()] == []
