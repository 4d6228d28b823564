"""Querysets of a fixed shape, built and compiled to SQL once, then run with new values.

On the busiest pages Django spends more time building and compiling a queryset than the
database spends answering it: the work list's page of 25 cases took 1.55 ms of CPU through
the ORM, 0.22 ms as the same SQL run again with new values. A query whose *shape* is fixed
(the same tables, joins, conditions, order and limit; only values differ) is therefore
built once with a ``Slot`` in place of each value that differs, compiled once per database
connection, and run again and again with the values bound (``CompiledValues.run``).

The caller names the shape in the key: everything that changes the SQL must be in it, and
the function that builds the queryset may read nothing else (values only through slots).
Tests compare each compiled query with the plain ORM on every shape. A slot's value cannot
be None (the ORM writes ``IS NULL`` for one), and a query that can never match (``pk__in=[]``)
cannot be compiled (Django raises ``EmptyResultSet``): such shapes stay with the ORM.

What is returned is what ``values()`` returns (dicts, the database's values converted as
the ORM converts them), or model instances through ``Model.from_db``: of one model
(``run_models``), or with related rows joined in, as ``select_related`` gives them
(``run_related``).
Compiled queries are kept per thread and connection object: a thread never shares one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Model, QuerySet


class _Marker:
    """Where a slot's value goes among the compiled query's parameters."""

    __slots__ = ("field", "name")

    def __init__(self, name: str, field) -> None:
        self.name = name
        self.field = field

    def __repr__(self) -> str:
        return f"<slot {self.name}>"


class Slot(Expression):
    """A value given when the compiled query runs, in place of one given when it is built.

    ``output_field`` is the field the value is for: it turns the value into what the
    database takes (``Field.get_db_prep_value``), as the ORM does with a plain value.
    """

    def __init__(self, name: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [_Marker(self.name, self.output_field)]


class CompiledValues:
    """A ``values()`` queryset compiled once; ``run(**values)`` binds its slots and runs it."""

    def __init__(self, queryset: QuerySet, using: str) -> None:
        query = queryset.query
        if not query.selected:
            raise TypeError("Only a values() queryset can be compiled.")
        self.connection = connections[using]
        self.using = using
        compiler = query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [(i, p) for i, p in enumerate(self.params) if isinstance(p, _Marker)]
        self.slot_names = frozenset(marker.name for _i, marker in self.slots)
        # As ``ValuesIterable`` names and converts the columns.
        self.names = tuple(query.selected)
        self._compiler = compiler
        self._converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )

    def _params(self, values: dict[str, Any]) -> list:
        if values.keys() != self.slot_names:
            raise TypeError(
                f"The query's slots are {sorted(self.slot_names)}, not {sorted(values)}."
            )
        if None in values.values():
            # The ORM writes ``IS NULL`` for a None; a slot would compare with NULL.
            raise TypeError("A slot's value cannot be None.")
        params = list(self.params)
        for position, marker in self.slots:
            params[position] = marker.field.get_db_prep_value(
                values[marker.name], connection=self.connection
            )
        return params

    def rows(self, **values) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self._params(values))
            rows = cursor.fetchall()
        if self._converters:
            rows = list(self._compiler.apply_converters(rows, self._converters))
        return rows

    def run(self, **values) -> list[dict[str, Any]]:
        """The rows as ``values()`` gives them: a dict per row."""
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in self.rows(**values)]

    def run_models(self, model: type[Model], **values) -> list[Model]:
        """The rows as instances of ``model``: the query must select exactly its concrete
        fields (by their ``attname``), ``model_columns(model)``."""
        if self.names != model_columns(model):
            raise TypeError(f"The query does not select the columns of {model.__name__}.")
        return [model.from_db(self.using, self.names, row) for row in self.rows(**values)]

    def run_related(self, model: type[Model], related: tuple[str, ...], **values) -> list[Model]:
        """The rows as instances of ``model`` with each relation of ``related`` (forward
        foreign keys and one-to-one relations, either way) already there, as
        ``select_related`` leaves them: None where there is no related row. The query must
        select ``related_columns(model, related)``."""
        if self.names != related_columns(model, related):
            raise TypeError(f"The query does not select the columns of {model.__name__} "
                            f"and {', '.join(related)}.")
        spans = _related_spans(model, related)
        own = len(model._meta.concrete_fields)
        instances = []
        for row in self.rows(**values):
            instance = model.from_db(self.using, self.names[:own], row[:own])
            for field, target, start, end, pk_at in spans:
                other = None
                if row[pk_at] is not None:
                    other = target.from_db(self.using, model_columns(target), row[start:end])
                    if field.one_to_one:  # the way back is known too, as select_related does
                        field.remote_field.set_cached_value(other, instance)
                field.set_cached_value(instance, other)
            instances.append(instance)
        return instances


#: Each thread's compiled queries, by alias and key: Django gives each thread its own
#: connection object, which a compiled query keeps (its converters are the connection's).
_compiled = threading.local()
#: Compiled queries a thread keeps at most (the oldest made goes first): one is some 40 KB
#: (the query it was compiled from), and the work list has some hundreds of shapes.
MAX_PER_THREAD = 200


def compiled_values(
    key: Hashable, build: Callable[[], QuerySet], using: str = DEFAULT_DB_ALIAS
) -> CompiledValues:
    """The ``values()`` queryset ``build()`` of the shape ``key``, compiled once for this
    thread's connection ``using`` (again if the thread's connection object was replaced)."""
    try:
        queries = _compiled.queries
    except AttributeError:
        queries = _compiled.queries = {}
    query = queries.get((using, key))
    if query is None or query.connection is not connections[using]:
        query = CompiledValues(build(), using)
        queries.pop((using, key), None)
        while len(queries) >= MAX_PER_THREAD:
            del queries[next(iter(queries))]
        queries[using, key] = query
    return query


@functools.cache
def model_columns(model: type[Model]) -> tuple[str, ...]:
    """The columns ``run_models`` takes: the model's concrete fields, by ``attname``."""
    return tuple(field.attname for field in model._meta.concrete_fields)


@functools.cache
def related_columns(model: type[Model], related: tuple[str, ...]) -> tuple[str, ...]:
    """The columns ``run_related`` takes: ``model``'s, then each related model's (through
    the relation's name)."""
    columns = list(model_columns(model))
    for name in related:
        target = model._meta.get_field(name).related_model
        columns += [f"{name}__{column}" for column in model_columns(target)]
    return tuple(columns)


@functools.cache
def _related_spans(model: type[Model], related: tuple[str, ...]) -> list[tuple]:
    """Per relation: the field, its model, where its columns start and end in a row, and
    where its primary key is."""
    spans, start = [], len(model._meta.concrete_fields)
    for name in related:
        field = model._meta.get_field(name)
        target = field.related_model
        columns = model_columns(target)
        end = start + len(columns)
        spans.append((field, target, start, end, start + columns.index(target._meta.pk.attname)))
        start = end
    return spans
