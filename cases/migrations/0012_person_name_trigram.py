"""A trigram index on the person's first and last name (PostgreSQL only), so that a search by
part of a name (``icontains``: ``UPPER(name) LIKE UPPER('%word%')``) reads the matching
persons instead of every case of the municipality (issue #19).

The indexes are not in the model's state: SQLite (the embedded mode) has no pg_trgm, and the
search works there without them.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

NAME_COLUMNS = ("first_name", "last_name")


def _indexes():
    return [
        GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=f"person_{column}_trgm")
        for column in NAME_COLUMNS
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    person = apps.get_model("cases", "Person")
    for index in _indexes():
        schema_editor.add_index(person, index)
    # The planner needs statistics of the indexed expressions to pick the selective word.
    schema_editor.execute("ANALYZE cases_person")


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    person = apps.get_model("cases", "Person")
    for index in _indexes():
        schema_editor.remove_index(person, index)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_possible_duplicate_person_bsn_entries")]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(add_indexes, remove_indexes),
    ]
