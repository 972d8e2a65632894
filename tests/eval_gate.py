"""The accuracy gate: detection and per-field accuracy of the extractor on the dev corpus.

``make eval`` (``python -m tests.eval_gate``) prints precision, recall, F1 and per-field
accuracy with the ids that went wrong; ``tests/test_quality_gate.py`` fails when any figure
drops below its floor in ``tests/eval_baseline.json``. Floors may only be raised:
``python -m tests.eval_gate --raise-floors`` writes the current figures (rounded down) where
they beat the stored ones, never lower.

The corpus (``tests/corpus/*.jsonl``) is written by the team: one article per line with its
labels (see ``tests/corpus/README.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.extract import analyze_article, article_from_json
from transforms.lexicon import Lexicon, load_lexicon

CORPUS = Path(__file__).resolve().parent / "corpus"
BASELINE = Path(__file__).resolve().parent / "eval_baseline.json"
# Each set of corpus files has its own floors, so adding a harder set never lowers a floor.
SETS = {
    "writer1": ("positives.jsonl", "negatives.jsonl"),
    "writer2": ("second_writer.jsonl",),
    "writer3": ("third_writer.jsonl",),
    "writer4": ("fourth_writer.jsonl",),
    "writer5": ("fifth_writer.jsonl",),
    "writer6": ("sixth_writer.jsonl",),
    "writer7": ("seventh_writer.jsonl",),
    "writer8": ("eighth_writer.jsonl",),
    "writer9": ("ninth_writer.jsonl",),
    "writer10": ("tenth_writer.jsonl",),
    "writer11": ("eleventh_writer.jsonl",),
    "writer12": ("twelfth_writer.jsonl",),
    "writer13": ("thirteenth_writer.jsonl",),
    "writer14": ("fourteenth_writer.jsonl",),
    "writer15": ("fifteenth_writer.jsonl",),
    "writer16": ("sixteenth_writer.jsonl",),
    "writer17": ("seventeenth_writer.jsonl",),
    "writer18": ("eighteenth_writer.jsonl",),
    "writer19": ("nineteenth_writer.jsonl",),
    "writer20": ("twentieth_writer.jsonl",),
    "writer21": ("twenty_first_writer.jsonl",),
    "writer22": ("twenty_second_writer.jsonl",),
    "writer23": ("twenty_third_writer.jsonl",),
    "writer24": ("twenty_fourth_writer.jsonl",),
    "writer25": ("twenty_fifth_writer.jsonl",),
    "writer26": ("twenty_sixth_writer.jsonl",),
    "writer27": ("twenty_seventh_writer.jsonl",),
    "writer28": ("twenty_eighth_writer.jsonl",),
    "writer29": ("twenty_ninth_writer.jsonl",),
    "writer30": ("thirtieth_writer.jsonl",),
    "writer31": ("thirty_first_writer.jsonl",),
    "writer32": ("thirty_second_writer.jsonl",),
    "writer33": ("thirty_third_writer.jsonl",),
    "writer34": ("thirty_fourth_writer.jsonl",),
    "writer35": ("thirty_fifth_writer.jsonl",),
    "writer36": ("thirty_sixth_writer.jsonl",),
    "writer37": ("thirty_seventh_writer.jsonl",),
    "writer38": ("thirty_eighth_writer.jsonl",),
    "writer39": ("thirty_ninth_writer.jsonl",),
    "writer40": ("fortieth_writer.jsonl",),
    "writer41": ("forty_first_writer.jsonl",),
    "writer42": ("forty_second_writer.jsonl",),
    "writer43": ("forty_third_writer.jsonl",),
    "writer44": ("forty_fourth_writer.jsonl",),
    "writer45": ("forty_fifth_writer.jsonl",),
    "writer46": ("forty_sixth_writer.jsonl",),
    "writer47": ("forty_seventh_writer.jsonl",),
    "writer48": ("forty_eighth_writer.jsonl",),
    "writer49": ("forty_ninth_writer.jsonl",),
    "writer50": ("fiftieth_writer.jsonl",),
    "writer51": ("fifty_first_writer.jsonl",),
    "writer52": ("fifty_second_writer.jsonl",),
}
FIELDS = (
    "us_leader",
    "russian_leader",
    "call_status",
    "call_date",
    "medium",
    "requested_by",
    "source_side",
)


def load_corpus(
    folder: Path = CORPUS, names: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    items = []
    paths = [folder / n for n in names] if names else sorted(folder.glob("*.jsonl"))
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path.name}:{n}: {exc}") from exc
    return items


@dataclass
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)
    field_right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    field_wrong: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float:
        return self.field_right[name] / self.tp if self.tp else 1.0

    def figures(self) -> dict[str, float]:
        out = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        out.update({f"field.{f}": self.accuracy(f) for f in FIELDS})
        return out


def evaluate(items: list[dict[str, Any]], lexicon: Lexicon | None = None) -> Report:
    lexicon = lexicon or load_lexicon()
    report = Report()
    for item in items:
        label = item["label"]
        _, ex = analyze_article(lexicon, article_from_json(item))
        got = ex.to_json(item["id"])
        want = bool(label["is_call_report"])
        report.details[item["id"]] = got
        if got["is_call_report"] and want:
            report.tp += 1
            for f in FIELDS:
                if got[f] == label[f]:
                    report.field_right[f] += 1
                else:
                    report.field_wrong[f].append(f"{item['id']}: got {got[f]!r}, want {label[f]!r}")
        elif got["is_call_report"]:
            report.fp += 1
            report.false_positives.append(item["id"])
        elif want:
            report.fn += 1
            report.false_negatives.append(f"{item['id']}: {got.get('reason')}")
        else:
            report.tn += 1
    return report


def print_report(report: Report, out: Any = sys.stdout) -> None:
    print(
        f"articles {report.tp + report.fp + report.fn + report.tn}: "
        f"tp {report.tp}  fp {report.fp}  fn {report.fn}  tn {report.tn}",
        file=out,
    )
    print(
        f"precision {report.precision:.4f}  recall {report.recall:.4f}  f1 {report.f1:.4f}",
        file=out,
    )
    for f in FIELDS:
        print(f"  {f:<15} {report.accuracy(f):.4f}", file=out)
    if report.false_positives:
        print("false positives: " + ", ".join(report.false_positives), file=out)
    for line in report.false_negatives:
        print(f"false negative {line}", file=out)
    for f in FIELDS:
        for line in report.field_wrong[f]:
            print(f"{f} wrong {line}", file=out)


def load_baseline() -> dict[str, dict[str, float]]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))["floors"]


def evaluate_sets(lexicon: Lexicon | None = None) -> dict[str, Report]:
    lexicon = lexicon or load_lexicon()
    return {name: evaluate(load_corpus(CORPUS, files), lexicon) for name, files in SETS.items()}


def raise_floors(figures: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Store the current figures (rounded down to 3 places) where they beat the floors."""
    floors = load_baseline() if BASELINE.exists() else {}
    for name, figs in figures.items():
        mine = floors.setdefault(name, {})
        for k, v in figs.items():
            mine[k] = max(mine.get(k, 0.0), math.floor(v * 1000) / 1000)
    BASELINE.write_text(
        json.dumps(
            {
                "comment": "floors per corpus set; they may only be raised "
                "(python -m tests.eval_gate --raise-floors)",
                "floors": floors,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    return floors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raise-floors", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    lexicon = load_lexicon()
    reports = evaluate_sets(lexicon)
    figures = {name: r.figures() for name, r in reports.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, report in reports.items():
            print(f"== {name}: {', '.join(SETS[name])}")
            print_report(report)
            print()
        print("== all")
        print_report(evaluate(load_corpus(), lexicon))
    if args.raise_floors:
        raise_floors(figures)
    floors = load_baseline() if BASELINE.exists() else {}
    below = {
        f"{name}.{k}": v
        for name, figs in figures.items()
        for k, v in figs.items()
        if v + 1e-9 < floors.get(name, {}).get(k, 0.0)
    }
    if below:
        print(f"BELOW THE FLOOR: {below}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
