"""The named-query library: one ``.sql`` file per analyst question.

Each file starts with comment lines ``-- name: ...`` (optional, defaults to the file name) and
``-- question: ...``; the rest is the SQL, written once in BigQuery's GoogleSQL with unqualified
table names. BigQuery runs it as written, with the dataset as default dataset; other engines
get it translated by sqlglot (``NamedQuery.sql_for(warehouse.dialect)``: for DuckDB, e.g.
``FORMAT_DATE`` -> ``STRFTIME``, ``COUNTIF`` -> ``COUNT_IF``, backquotes -> double quotes).
``tests/test_queries.py`` runs every query on both engines over the same rows and requires the
same answer, so a query that does not translate faithfully fails there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

SOURCE_DIALECT = "bigquery"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    sql: str  # GoogleSQL

    def sql_for(self, dialect: str) -> str:
        """The query in ``dialect`` (a sqlglot dialect name: "duckdb", "bigquery")."""
        return translate(self.sql, dialect)


@functools.lru_cache(maxsize=128)
def translate(sql: str, dialect: str) -> str:
    """GoogleSQL -> ``dialect`` with sqlglot; unchanged for BigQuery itself."""
    if dialect == SOURCE_DIALECT:
        return sql
    import sqlglot

    return ";\n".join(sqlglot.transpile(sql, read=SOURCE_DIALECT, write=dialect, pretty=True))


def _parse(filename: str, text: str) -> NamedQuery:
    name = filename.removesuffix(".sql")
    question = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            break
        key, _, value = stripped[2:].strip().partition(":")
        if key.strip() == "name" and value.strip():
            name = value.strip()
        elif key.strip() == "question":
            question = value.strip()
    return NamedQuery(name=name, question=question, sql=text.strip().rstrip(";"))


def all_queries() -> list[NamedQuery]:
    folder = resources.files(__name__)
    found = [
        _parse(entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found, key=lambda q: q.name)


def get(name: str) -> NamedQuery | None:
    if not name.replace("_", "").replace("-", "").isalnum():
        return None
    return next((q for q in all_queries() if q.name == name), None)
