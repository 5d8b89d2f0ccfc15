"""Throwaway databases for the load test and the concurrent-write test, and what the server stored.

SQLite: a file in a directory the caller owns. PostgreSQL: a database created (and dropped after)
through the server's `postgres` maintenance database, so the run never touches real data.
`python -m ops.databases URL` checks that a PostgreSQL server answers, for `make test-postgres`.
"""
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


@contextmanager
def fresh_database(kind: str, *, directory: Path, name: str, server: str = POSTGRES_SERVER) -> Iterator[str]:
    """Yields the DATABASE_URL of an empty database; removes it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'{name}.sqlite3'}"
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}; use sqlite or postgres")
    _maintenance(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name)
    finally:
        _maintenance(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def with_database(url: str, name: str) -> str:
    """The same server URL, naming database `name`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_problem(url: str) -> str | None:
    """None when the server at `url` accepts connections, else why not (without the password)."""
    import psycopg

    try:
        psycopg.connect(with_database(url, "postgres"), connect_timeout=5).close()
    except psycopg.Error as err:
        host = urlsplit(url).hostname or "the default socket"
        return f"PostgreSQL at {host} does not answer: {str(err).strip().splitlines()[0]}"
    return None


def stored_drawing_ids(env: Mapping[str, str]) -> set[str]:
    """Every drawing id in the database `env["DATABASE_URL"]` names, read through Django itself."""
    code = (
        "import django; django.setup(); from recognizer.models import Drawing; "
        "print('\\n'.join(str(pk) for pk in Drawing.objects.values_list('pk', flat=True)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "digitsite.settings"},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"could not read the stored drawings:\n{result.stderr[-2000:]}")
    return set(result.stdout.split())


def _maintenance(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(with_database(server, "postgres"), autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(statement)


if __name__ == "__main__":
    problem = postgres_problem(sys.argv[1] if len(sys.argv) > 1 else POSTGRES_SERVER)
    if problem:
        sys.exit(f"{problem}\nStart PostgreSQL (e.g. `service postgresql start`), or point PG_URL at a running server.")
