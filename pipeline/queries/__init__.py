"""The named-query library: one ``.sql`` file per analyst question.

Each file starts with comment lines ``-- name: ...`` (optional, defaults to the file name) and
``-- question: ...``; the rest is the SQL. Table names are unqualified so the same text runs on
DuckDB and, with the dataset as default, on BigQuery.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class NamedQuery:
    name: str
    question: str
    sql: str


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
