"""Shared fixtures: paths, the seed served over real HTTP, golden-file handling."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import StaticServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output (review the diff!)",
    )


@pytest.fixture(scope="session")
def lexicon():  # type: ignore[no-untyped-def]
    from transforms.lexicon import load_lexicon

    return load_lexicon()


@pytest.fixture()
def seed_server() -> Iterator[StaticServer]:
    """The bundled seed feed and its pages, served on 127.0.0.1."""
    with StaticServer(str(SEEDS)) as srv:
        yield srv


def write_feeds_yaml(path: Path, feeds: list[tuple[str, str]]) -> Path:
    lines = ["feeds:"]
    for url, outlet in feeds:
        lines += [f"  - url: {url}", f"    outlet: {outlet}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``golden(name, rows)``: compare rows to tests/golden/NAME (sorted JSONL), or rewrite it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, rows: list[dict[str, Any]]) -> None:
        lines = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in rows)
        path = GOLDEN / name
        if update:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return
        assert path.exists(), f"{path} is missing: run pytest --update-golden and review it"
        expected = path.read_text(encoding="utf-8").splitlines()
        assert lines == expected, f"output differs from {path} (pytest --update-golden to accept)"

    return check


# -- the BigQuery emulator (tests marked `bigquery`) -----------------------------------------

_BQ_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The local BigQuery emulator (tests/bq_emulator.py), started once, stopped at the end.

    Not installed: the tests that need it fail in CI (CI=true) and skip elsewhere, both saying
    how to install it (`make bqemu`).
    """
    from tests.bq_emulator import EmulatorUnavailable, start_emulator

    try:
        emulator = start_emulator(tmp_path_factory.mktemp("bqemulator") / "bqemulator.log")
    except EmulatorUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{exc} (CI=true: the BigQuery tests must run)", pytrace=False)
        pytest.skip(str(exc))
    _BQ_TIMINGS["bqemulator start"] = emulator.start_seconds
    try:
        yield emulator
    finally:
        emulator.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, seconds in _BQ_TIMINGS.items():
        terminalreporter.write_line(f"{name}: {seconds:.2f} s")
