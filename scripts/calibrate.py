"""Fit the confidence model (transforms/lexicons/confidence.yaml) on the dev corpus.

The detector is rule-based; its confidence is a logistic model over the detection features
(how many presidential call mentions, in the title or lead, named or titled, recalled, negated,
speech-only...) plus the rule decision itself. Fit here, by L2-regularised logistic regression,
so that a threshold means something: articles scored 0.9 are call reports about 90 % of the time.

    python -m scripts.calibrate            # fit, write the YAML, print the reliability table
    python -m scripts.calibrate --check    # only print the reliability of the current model
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument(
        "--corpus", type=Path, default=None, help="another labelled folder to check on"
    )
    args = parser.parse_args(argv)
    xs, ys, dets = feature_rows(args.corpus)
    if not args.check:
        model = LogisticRegression(C=0.5, max_iter=1000).fit(xs, ys)
        weights = {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0], strict=True)}
        text = (
            "# Confidence model: P(call report) = sigmoid(bias + sum(weight * feature)).\n"
            "# Written by scripts/calibrate.py from the dev corpus; do not edit by hand.\n"
        )
        text += yaml.safe_dump(
            {"bias": round(float(model.intercept_[0]), 4), "weights": weights}, sort_keys=False
        )
        OUT.write_text(text, encoding="utf-8")
    lex = load_lexicon()
    probs = [confidence(lex, d) for d in dets]
    reliability(probs, list(ys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
