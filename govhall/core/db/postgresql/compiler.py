"""Small bulk inserts as ``VALUES`` rows instead of ``UNNEST`` arrays.

Since Django 5.2 every ``bulk_create`` of two rows or more on PostgreSQL is sent as
``INSERT … SELECT * FROM UNNEST(%s::type[], …)``, which saves the server planning
time on thousands of rows. Most of govhall's bulk inserts are two or three rows — a
complaint's 登记 and 受理 events, their two audit rows, a case's few materials — and
for those, turning each column into a typed array costs psycopg more than it saves:
measured on a window complaint, two ``UNNEST`` inserts took about 1.6–2.0 ms of CPU and
the same two as ``VALUES`` 0.9–1.2 ms (``docs/performance.md``). Below
``UNNEST_FROM_ROWS`` rows the base compiler's ``VALUES`` form is used; from there on,
Django's ``UNNEST``.
"""

from django.db.backends.postgresql.compiler import (  # noqa: F401 - the backend's set
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as PostgresInsertCompiler
from django.db.models.sql import compiler

UNNEST_FROM_ROWS = 50


class SQLInsertCompiler(PostgresInsertCompiler):
    def assemble_as_sql(self, fields, value_rows):
        if len(value_rows) < UNNEST_FROM_ROWS:
            return compiler.SQLInsertCompiler.assemble_as_sql(self, fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)
