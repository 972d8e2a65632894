"""Fit the confidence model (transforms/lexicons/confidence.yaml) on held-out decisions.

The detector is rule-based; its confidence is a logistic model over the detection features
(how many presidential call mentions, in the title or lead, named or titled, recalled, negated,
speech-only...) plus the rule decision itself, fit by L2-regularised logistic regression so that
a threshold means something: articles scored 0.9 are call reports about 90 % of the time.

It is fit on tests/calibration/heldout_features.jsonl (scripts/heldout_rows.py): every blind
corpus set as the code that scored it blind saw it. The dev corpus as the current code sees it is
no use for this: the rules were tuned on it and separate it perfectly, so a model fit there
learns that the rules are never wrong, and is overconfident on new text.

    python -m scripts.calibrate            # fit, write the YAML, print the reliability tables
    python -m scripts.calibrate --check    # only print the reliability of the current model
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from tests.eval_gate import load_corpus
from transforms.detect import detect
from transforms.extract import article_from_json, confidence
from transforms.lexicon import load_lexicon
from transforms.normalize import normalize_article

OUT = Path(__file__).resolve().parent.parent / "transforms" / "lexicons" / "confidence.yaml"
FEATURES = (
    "decided",
    "presidential",
    "reported",
    "in_title",
    "lead",
    "position",
    "named_both",
    "support",
    "speech_only",
    "soft_recall",
    "recalled",
    "explainer",
    "negated",
    "elect",
    "other_party",
    "lead_other_call",
)


def feature_rows(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray, list]:
    lex = load_lexicon()
    items = load_corpus(folder) if folder else load_corpus()
    xs, ys, dets = [], [], []
    for item in items:
        det = detect(lex, normalize_article(article_from_json(item)))
        row = [1.0 if det.is_call_report else 0.0] + [
            det.features.get(f, 0.0) for f in FEATURES[1:]
        ]
        xs.append(row)
        ys.append(1 if item["label"]["is_call_report"] else 0)
        dets.append(det)
    return np.array(xs), np.array(ys), dets


def reliability(probs: list[float], ys: list[int], out=sys.stdout) -> float:
    bins = [(0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    print("confidence bin   n   mean conf   share positive", file=out)
    for lo, hi in bins:
        sel = [(p, y) for p, y in zip(probs, ys, strict=True) if lo <= p < hi]
        if sel:
            mp = sum(p for p, _ in sel) / len(sel)
            my = sum(y for _, y in sel) / len(sel)
            print(
                f"[{lo:.1f}, {min(hi, 1):.1f})   {len(sel):>3}   {mp:9.3f}   {my:14.3f}", file=out
            )
    brier = sum((p - y) ** 2 for p, y in zip(probs, ys, strict=True)) / len(ys)
    print(f"Brier score {brier:.4f}", file=out)
    return brier


HELDOUT = OUT.parent.parent.parent / "tests" / "calibration" / "heldout_features.jsonl"


def heldout_rows(path: Path = HELDOUT) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features, labels and corpus set of every held-out decision."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    xs = [
        [1.0 if r["decided"] else 0.0] + [r["features"].get(f, 0.0) for f in FEATURES[1:]]
        for r in rows
    ]
    return np.array(xs), np.array([int(r["label"]) for r in rows]), [r["set"] for r in rows]


def probability(lex, row: np.ndarray) -> float:  # type: ignore[no-untyped-def]
    """The current model's P(call report) for one feature row (FEATURES order)."""
    weights = lex.confidence["weights"]
    z = float(lex.confidence["bias"]) + sum(
        float(weights.get(f, 0.0)) * float(v) for f, v in zip(FEATURES, row, strict=True)
    )
    return 1.0 / (1.0 + np.exp(-z))


def _fit(xs: np.ndarray, ys: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=0.5, max_iter=2000).fit(xs, ys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument(
        "--corpus", type=Path, default=None, help="another labelled folder to check on"
    )
    args = parser.parse_args(argv)
    hx, hy, groups = heldout_rows()
    if not args.check:
        # how well a model fit this way does on a set it has not seen: leave one set out
        probs = np.zeros(len(hy))
        for name in sorted(set(groups)):
            test = np.array([g == name for g in groups])
            probs[test] = _fit(hx[~test], hy[~test]).predict_proba(hx[test])[:, 1]
        print(f"== leave one blind set out ({len(set(groups))} sets, {len(hy)} decisions)")
        reliability(list(probs), list(hy))
        model = _fit(hx, hy)
        weights = {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0], strict=True)}
        text = (
            "# Confidence model: P(call report) = sigmoid(bias + sum(weight * feature)).\n"
            "# Written by scripts/calibrate.py from held-out decisions\n"
            "# (tests/calibration/heldout_features.jsonl); do not edit by hand.\n"
        )
        text += yaml.safe_dump(
            {"bias": round(float(model.intercept_[0]), 4), "weights": weights}, sort_keys=False
        )
        OUT.write_text(text, encoding="utf-8")
    lex = load_lexicon()
    print("== held-out decisions, the written model")
    reliability([probability(lex, row) for row in hx], list(hy))
    _, ys, dets = feature_rows(args.corpus)
    print("== dev corpus, the current code (in-sample: the rules were tuned on it)")
    reliability([confidence(lex, d) for d in dets], list(ys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
