"""Health of this server for a load balancer (``/healthz``).

Two questions, each answered with one cheap read: can the database be reached
(``SELECT 1``), and are all migrations of this code applied (the migration executor's
plan to the leaf nodes is empty). A server that answers anything else must not get
traffic: the load balancer takes it out until it is healthy again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


@dataclass
class Health:
    database: str = "ok"
    migrations: str = "ok"
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.migrations == "ok"

    def as_dict(self) -> dict:
        body = {
            "status": "ok" if self.ok else "error",
            "database": self.database,
            "migrations": self.migrations,
        }
        if self.reasons:
            body["reasons"] = self.reasons
        return body


def pending_migrations(connection) -> list[str]:
    """``app.name`` of each migration of this code not yet applied to the database."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check(alias: str = DEFAULT_DB_ALIAS) -> Health:
    health = Health()
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        health.database = "error"
        health.migrations = "unknown"
        health.reasons.append(f"数据库无法连接：{type(exc).__name__}")
        return health
    try:
        pending = pending_migrations(connection)
    except DatabaseError as exc:
        health.migrations = "error"
        health.reasons.append(f"无法读取迁移记录：{type(exc).__name__}")
        return health
    if pending:
        health.migrations = "pending"
        shown = "、".join(pending[:5]) + ("等" if len(pending) > 5 else "")
        health.reasons.append(f"有 {len(pending)} 个数据库迁移尚未执行：{shown}")
    return health
