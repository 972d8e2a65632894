"""The accuracy gate: no figure on the dev corpus may drop below its stored floor."""

from __future__ import annotations

import pytest

from tests.eval_gate import FIELDS, evaluate, load_baseline, load_corpus


@pytest.fixture(scope="module")
def report(lexicon):  # type: ignore[no-untyped-def]
    return evaluate(load_corpus(), lexicon)


def test_corpus_is_big_and_balanced() -> None:
    items = load_corpus()
    positives = [i for i in items if i["label"]["is_call_report"]]
    assert len(items) >= 200
    assert len(items) - len(positives) >= len(positives)
    assert len({i["id"] for i in items}) == len(items)
    pairs = {(i["label"]["us_leader"], i["label"]["russian_leader"]) for i in positives}
    assert {
        ("Barack Obama", "Dmitry Medvedev"),
        ("Barack Obama", "Vladimir Putin"),
        ("Donald Trump", "Vladimir Putin"),
        ("Joe Biden", "Vladimir Putin"),
    } <= pairs


@pytest.mark.parametrize("figure", ["precision", "recall", "f1", *[f"field.{f}" for f in FIELDS]])
def test_figure_at_or_above_floor(report, figure: str) -> None:  # type: ignore[no-untyped-def]
    floor = load_baseline()[figure]
    assert report.figures()[figure] + 1e-9 >= floor, (
        f"{figure} fell to {report.figures()[figure]:.4f}, below its floor {floor}; "
        "run `make eval` to see which articles went wrong"
    )
