"""Debug aid: show how the detector reads the corpus articles given by id.

    python -m scripts.why [EXTRA.jsonl ...] ID [ID ...]

Ids are looked up in the dev corpus and in any JSONL files named before them.
"""

import sys
from pathlib import Path

from tests.eval_gate import load_corpus
from transforms.detect import _people, sentence_mentions
from transforms.extract import analyze_article, article_from_json
from transforms.lexicon import load_lexicon

lex = load_lexicon()

extra = [Path(a) for a in sys.argv[1:] if a.endswith(".jsonl")]
items = {i["id"]: i for i in load_corpus()}
for path in extra:
    items |= {i["id"]: i for i in load_corpus(path.parent, (path.name,))}
for ident in (a for a in sys.argv[1:] if not a.endswith(".jsonl")):
    item = items[ident]
    art, ex = analyze_article(lex, article_from_json(item))
    print(f"=== {ident} label={item['label']} note={item.get('note')}")
    print(
        "got:",
        {
            k: v
            for k, v in ex.to_json(ident).items()
            if k not in ("evidence", "topics", "actors", "date_reason")
        },
    )
    print("date_reason:", ex.date_reason)
    day = art.article.published_at.date() if art.article.published_at else None
    texts = [(-1, art.title_folded)] + [(i, s.folded) for i, s in enumerate(art.sentences)]
    for idx, text in texts:
        ms = sentence_mentions(lex, text, idx, day, with_weak=False)
        print(f"[{idx}] {text}")
        if ms:
            print("     people:", [(text[p.start : p.end], p.role) for p in _people(lex, text)])
        for m in ms:
            print(
                f"     call {text[m.start : m.end]!r} parties={set(m.parties)} "
                f"neg={m.negated} elect={m.elect} recall={m.recall}"
            )
