"""Scratch PostgreSQL databases for the benchmarks: created fresh, dropped after, so a
benchmark never touches the project's own databases."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def recreate(server: str, db: str) -> str | None:
    """Drop and create the scratch database ``db`` on ``server`` (a URL to its
    ``postgres`` database); its URL, or None if the server does not answer."""
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); skipped")
        return None
    return urlunsplit(urlsplit(server)._replace(path=f"/{db}"))


def drop(server: str, db: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
