"""SQL statements a busy page runs with parameters, written once per thread, database
and shape: the ORM compiles its query anew at every request, which on a page read
thousands of times a minute costs more than the database's work (articles.read_next,
catalogue.book_names, catalogue.other_books)."""

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

Written = TypeVar("Written")

# Each thread has its own connections, and what is written for one is its own.
_written = threading.local()


def written_once(key: Hashable, write: Callable[[], Written]) -> Written:
    """What `write()` returns for `key`, made at its first use in this thread. The key
    names the statement, its connection's alias and whatever shapes its SQL."""
    try:
        statements = _written.statements
    except AttributeError:
        statements = _written.statements = {}
    found = statements.get(key)
    if found is None:
        found = statements[key] = write()
    return found
