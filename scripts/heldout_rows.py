"""Rebuild tests/calibration/heldout_features.jsonl: each blind corpus set's detection features, as
computed by the code that scored it blind (the commit before the set joined the gate).

The confidence model is fit on these rows (scripts/calibrate.py), not on the dev corpus as the
current code sees it: the detector is tuned on the dev corpus, where it separates call reports
from the rest perfectly, so a model fit there learns that a decision is never wrong. On text it
had not seen, it was wrong a few times in a hundred; these rows are that experience.

    python -m scripts.heldout_rows      # needs git; checks each commit out in a temporary worktree
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
OUT = ROOT / "tests" / "calibration" / "heldout_features.jsonl"

# corpus file -> the commit whose code scored it blind (the parent of the commit that added it)
SCORED_BY = {
    "second_writer.jsonl": "ee7cc81^",
    "third_writer.jsonl": "618f345^",
    "fourth_writer.jsonl": "490844e^",
    "fifth_writer.jsonl": "490844e^",
    "sixth_writer.jsonl": "d8b18ac^",
    "seventh_writer.jsonl": "d8b18ac^",
    "eighth_writer.jsonl": "b463e62^",
    "ninth_writer.jsonl": "5e77ae2^",
    "tenth_writer.jsonl": "5e77ae2^",
    "eleventh_writer.jsonl": "970a8b8",
    "twelfth_writer.jsonl": "c9b9c81",
    "thirteenth_writer.jsonl": "970a8b8",
    "fourteenth_writer.jsonl": "970a8b8",
    "fifteenth_writer.jsonl": "70354d6",
    "sixteenth_writer.jsonl": "70354d6",
    "seventeenth_writer.jsonl": "70354d6",
    "eighteenth_writer.jsonl": "70354d6",
    "nineteenth_writer.jsonl": "64e702f",
    "twentieth_writer.jsonl": "64e702f",
    "twenty_first_writer.jsonl": "c398a81",
    "twenty_second_writer.jsonl": "0c84175",
    "twenty_third_writer.jsonl": "98ec3b3",
    "twenty_fourth_writer.jsonl": "0483c1d",
    "twenty_fifth_writer.jsonl": "f66c444",
    "twenty_sixth_writer.jsonl": "f66c444",
    "twenty_seventh_writer.jsonl": "f66c444",
    "twenty_eighth_writer.jsonl": "3979c3b",
    "twenty_ninth_writer.jsonl": "63895a7",
    "thirtieth_writer.jsonl": "3979c3b",
    "thirty_first_writer.jsonl": "2f4a62e",
    "thirty_second_writer.jsonl": "2f4a62e",
    "thirty_third_writer.jsonl": "2f4a62e",
    "thirty_fourth_writer.jsonl": "2f4a62e",
    "thirty_fifth_writer.jsonl": "8460603",
    "thirty_sixth_writer.jsonl": "428403f",
    "thirty_seventh_writer.jsonl": "3323cdd",
    "thirty_eighth_writer.jsonl": "8363ead",
    "thirty_ninth_writer.jsonl": "383f3ac",
    "fortieth_writer.jsonl": "6088e93",
    "forty_first_writer.jsonl": "6088e93",
    "forty_second_writer.jsonl": "6088e93",
    "forty_third_writer.jsonl": "e136c8f",
    "forty_fourth_writer.jsonl": "d468e8e",
    "forty_fifth_writer.jsonl": "d468e8e",
    "forty_sixth_writer.jsonl": "7f7af2c",
    "forty_eighth_writer.jsonl": "081f11a",
    "fiftieth_writer.jsonl": "4ca6816",
    "forty_seventh_writer.jsonl": "5a975ee",
    "forty_ninth_writer.jsonl": "28ba386",
    "fifty_first_writer.jsonl": "3235c7b",
    "fifty_second_writer.jsonl": "3235c7b",
}

# Run inside the old tree: print one row per article of the corpus file given.
_ROWS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from transforms.detect import detect
from transforms.extract import article_from_json
from transforms.lexicon import load_lexicon
from transforms.normalize import normalize_article
lex = load_lexicon()
for line in open(sys.argv[2], encoding="utf-8"):
    item = json.loads(line)
    det = detect(lex, normalize_article(article_from_json(item)))
    row = {"id": item["id"], "label": bool(item["label"]["is_call_report"]),
           "decided": det.is_call_report, "features": det.features}
    print(json.dumps(row, ensure_ascii=False, sort_keys=True))
"""


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def rows_for(name: str, rev: str, tmp: Path) -> list[dict]:
    commit = _git("rev-parse", "--short", rev)
    tree = tmp / commit
    if not tree.exists():
        _git("worktree", "add", "--detach", str(tree), commit)
    out = subprocess.run(
        [sys.executable, "-c", _ROWS, str(tree), str(CORPUS / name)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    for row in rows:
        row["set"] = name.removesuffix(".jsonl")
        row["code"] = commit
    return rows


def main() -> int:
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, rev in SCORED_BY.items():
                rows += rows_for(name, rev, Path(tmp))
    finally:
        _git("worktree", "prune")  # the temporary trees are gone: forget them
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    wrong = sum(r["decided"] != r["label"] for r in rows)
    print(f"{len(rows)} rows, {wrong} decided wrongly by the code of their day -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
