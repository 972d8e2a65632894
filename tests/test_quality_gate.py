"""The accuracy gate: no figure on the dev corpus may drop below its stored floor."""

from __future__ import annotations

import pytest

from tests.eval_gate import (
    CORPUS,
    FIELDS,
    SETS,
    evaluate,
    evaluate_sets,
    load_baseline,
    load_corpus,
)

FIGURES = ["precision", "recall", "f1", *[f"field.{f}" for f in FIELDS]]


@pytest.fixture(scope="module")
def reports(lexicon):  # type: ignore[no-untyped-def]
    return evaluate_sets(lexicon)


@pytest.fixture(scope="module")
def report(lexicon):  # type: ignore[no-untyped-def]
    return evaluate(load_corpus(), lexicon)


def test_every_corpus_file_is_in_a_set() -> None:
    files = {p.name for p in CORPUS.glob("*.jsonl")}
    assert files == {f for names in SETS.values() for f in names}


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


@pytest.mark.parametrize("corpus_set", list(SETS))
@pytest.mark.parametrize("figure", FIGURES)
def test_figure_at_or_above_floor(reports, corpus_set: str, figure: str) -> None:  # type: ignore[no-untyped-def]
    floor = load_baseline()[corpus_set][figure]
    got = reports[corpus_set].figures()[figure]
    assert got + 1e-9 >= floor, (
        f"{corpus_set} {figure} fell to {got:.4f}, below its floor {floor}; "
        "run `make eval` to see which articles went wrong"
    )


def test_confidence_is_calibrated(report) -> None:  # type: ignore[no-untyped-def]
    """A threshold means something: high-confidence articles are call reports, low are not."""
    items = {i["id"]: i for i in load_corpus()}
    scored = [(report.details[k]["confidence"], items[k]["label"]["is_call_report"]) for k in items]
    high = [y for p, y in scored if p >= 0.9]
    low = [y for p, y in scored if p < 0.1]
    assert len(high) >= 80 and sum(high) / len(high) >= 0.9
    assert len(low) >= 80 and sum(low) / len(low) <= 0.1
    brier = sum((p - y) ** 2 for p, y in scored) / len(scored)
    assert brier < 0.03


def test_confidence_is_calibrated_on_heldout_decisions() -> None:
    """On the blind sets as the code of their day decided them (wrong a few times in a hundred),
    the score says how often it is right: the top band is as right as it claims, and no band
    claims much more than it delivers."""
    from scripts.calibrate import heldout_rows, probability
    from transforms.lexicon import load_lexicon

    lex = load_lexicon()
    xs, ys, groups = heldout_rows()
    assert len(set(groups)) >= 7 and len(ys) >= 700
    assert sum(int(row[0]) != y for row, y in zip(xs, ys, strict=True)) >= 20  # real mistakes
    probs = [probability(lex, row) for row in xs]
    for lo, hi in ((0.0, 0.1), (0.7, 0.9), (0.9, 1.01)):
        band = [(p, y) for p, y in zip(probs, ys, strict=True) if lo <= p < hi]
        assert len(band) >= 40
        claimed = sum(p for p, _ in band) / len(band)
        delivered = sum(y for _, y in band) / len(band)
        assert abs(claimed - delivered) <= 0.05, (lo, hi, claimed, delivered)
    brier = sum((p - y) ** 2 for p, y in zip(probs, ys, strict=True)) / len(ys)
    # the bare decision (0 or 1) scores its error rate; the score must be worth a quarter more
    errors = sum(int(row[0]) != y for row, y in zip(xs, ys, strict=True)) / len(ys)
    assert brier < 0.75 * errors and brier < 0.04, (brier, errors)
