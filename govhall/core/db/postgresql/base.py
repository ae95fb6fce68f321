"""``ENGINE = "govhall.core.db.postgresql"``: Django's PostgreSQL backend, whose
operations use :mod:`govhall.core.db.postgresql.compiler`. Everything else is
Django's own (settings.py swaps the engine in for ``postgres://`` URLs)."""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "govhall.core.db.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
