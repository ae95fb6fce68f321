"""The rows one case action writes, in as few statements as the records allow.

A transition changes the case (UPDATE of the columns its effect changed) and leaves
three records the law keeps apart: the case event (办理记录), the audit entry (审计日志)
and, for some actions, the notice (文书); a new case (:func:`write_submission`) its
row, its submitted materials, its event and audit entry. They are built as model
instances (the callers keep them: the event goes to the notifications and the signal)
and written by :func:`write_transition` / :func:`write_submission`:

* on PostgreSQL as **one statement** — data-modifying CTEs (``WITH u AS (UPDATE …),
  e AS (INSERT … RETURNING id), a AS (INSERT …), d AS (INSERT … SELECT …)``): the
  notice names the event by ``(SELECT id FROM e)`` and is numbered by its own INSERT
  (``notices.numbered_insert``), all in one round trip;
* elsewhere (SQLite) as the same statements one after the other.

Each value goes through its field's own conversion (``Field.pre_save`` then
``Field.get_db_prep_save``, as the ORM's INSERT/UPDATE do), so what is stored is what
``save()`` would have stored; no model signal is connected to these models (a test
says so), so none is skipped.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Model

from ..models import Case, CaseDocument, CaseEvent
from . import notices


def _insert_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def _placeholder(field, value, connection) -> str:
    if hasattr(field, "get_placeholder"):
        return field.get_placeholder(value, None, connection)
    return "%s"


def insert_sql(connection, instance: Model | list[Model], **raw) -> tuple[str, list]:
    """``INSERT … VALUES (…), … RETURNING pk`` of ``instance`` (or of a list of
    instances of one model); ``raw`` gives SQL for a column instead of its value
    (``event_id="(SELECT id FROM e)"``)."""
    quote = connection.ops.quote_name
    instances = instance if isinstance(instance, list) else [instance]
    meta = instances[0]._meta
    fields = _insert_fields(type(instances[0]))
    rows, params = [], []
    for obj in instances:
        values = []
        for field in fields:
            if field.attname in raw:
                values.append(raw[field.attname])
                continue
            value = field.get_db_prep_save(field.pre_save(obj, True), connection)
            values.append(_placeholder(field, value, connection))
            params.append(value)
        rows.append(f"({', '.join(values)})")
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join(rows)} RETURNING {quote(meta.pk.column)}"
    )
    return sql, params


def update_sql(connection, instance: Model, fields: list[str]) -> tuple[str, list]:
    """``UPDATE … SET`` the named fields of ``instance`` ``WHERE pk = …``."""
    quote = connection.ops.quote_name
    meta = instance._meta
    sets, params = [], []
    for name in fields:
        field = meta.get_field(name)
        value = field.get_db_prep_save(field.pre_save(instance, False), connection)
        sets.append(f"{quote(field.column)} = {_placeholder(field, value, connection)}")
        params.append(value)
    params.append(meta.pk.get_db_prep_save(instance.pk, connection))
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {quote(meta.pk.column)} = %s"
    return sql, params


def _saved(instance: Model, pk, alias: str) -> None:
    """Mark an instance written by these statements as a saved row (as ``save()``)."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = alias


def write_transition(
    *,
    case: Case,
    fields: list[str],
    event: CaseEvent,
    entry,
    document: CaseDocument | None = None,
) -> None:
    """Write the case's changed ``fields``, its ``event``, the audit ``entry`` (built
    by ``audit.record(save=False)``) and the ``document`` if any (built by
    ``notices.new_document``; its number is set here). Sets their ids."""
    connection = connections[router.db_for_write(Case)]
    alias = connection.alias
    if connection.vendor == "postgresql":
        parts, params = [], []
        if fields:
            sql, p = update_sql(connection, case, fields)
            parts.append(f"u AS ({sql} RETURNING 1)")
            params += p
        sql, p = insert_sql(connection, event)
        parts.append(f"e AS ({sql})")
        params += p
        sql, p = insert_sql(connection, entry)
        parts.append(f"a AS ({sql})")
        params += p
        select = ["(SELECT id FROM e)", "(SELECT id FROM a)"]
        if document is not None:
            sql, p = notices.numbered_insert(connection, document, event_sql="(SELECT id FROM e)")
            parts.append(f"d AS ({sql})")
            params += p
            select += ["(SELECT id FROM d)", "(SELECT number FROM d)"]
        statement = f"WITH {', '.join(parts)} SELECT {', '.join(select)}"
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
        _saved(event, row[0], alias)
        _saved(entry, row[1], alias)
        if document is not None:
            document.event = event
            document.number = row[3]
            _saved(document, row[2], alias)
        return
    with connection.cursor() as cursor:
        if fields:
            cursor.execute(*update_sql(connection, case, fields))
        cursor.execute(*insert_sql(connection, event))
        _saved(event, cursor.fetchone()[0], alias)
        cursor.execute(*insert_sql(connection, entry))
        _saved(entry, cursor.fetchone()[0], alias)
        if document is not None:
            document.event = event
            cursor.execute(*notices.numbered_insert(connection, document))
            pk, document.number = cursor.fetchone()
            _saved(document, pk, alias)


def write_submission(*, case: Case, materials: list, event: CaseEvent, entry) -> None:
    """Write a new case (申请/收件) with its submitted materials, its event and the
    audit entry (built before the case had an id: they name it by the case's
    INSERT). One statement on PostgreSQL; one per table elsewhere. Sets the ids."""
    connection = connections[router.db_for_write(Case)]
    alias = connection.alias
    if connection.vendor == "postgresql":
        case_id = "(SELECT id FROM c)"
        sql, params = insert_sql(connection, case)
        parts = [f"c AS ({sql})"]
        if materials:
            sql, p = insert_sql(connection, materials, case_id=case_id)
            parts.append(f"m AS ({sql})")
            params += p
        sql, p = insert_sql(connection, event, case_id=case_id)
        parts.append(f"e AS ({sql})")
        params += p
        sql, p = insert_sql(connection, entry, object_id=f"CAST({case_id} AS VARCHAR(64))")
        parts.append(f"a AS ({sql})")
        params += p
        select = [case_id, "(SELECT id FROM e)", "(SELECT id FROM a)"]
        if materials:
            select.append("ARRAY(SELECT id FROM m)")
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(parts)} SELECT {', '.join(select)}", params)
            row = cursor.fetchone()
        material_ids = row[3] if materials else []
        _saved(case, row[0], alias)
    else:
        with connection.cursor() as cursor:
            cursor.execute(*insert_sql(connection, case))
            _saved(case, cursor.fetchone()[0], alias)
            material_ids = []
            for material in materials:
                material.case_id = case.pk
                cursor.execute(*insert_sql(connection, material))
                material_ids.append(cursor.fetchone()[0])
            event.case_id, entry.object_id = case.pk, str(case.pk)
            cursor.execute(*insert_sql(connection, event))
            event_id = cursor.fetchone()[0]
            cursor.execute(*insert_sql(connection, entry))
            row = (case.pk, event_id, cursor.fetchone()[0])
    for material, pk in zip(materials, material_ids, strict=True):
        material.case = case
        _saved(material, pk, alias)
    event.case = case
    _saved(event, row[1], alias)
    entry.object_id = str(case.pk)
    _saved(entry, row[2], alias)
