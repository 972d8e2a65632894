"""Debug aid: show how the detector reads the corpus articles given by id."""

import sys
from pathlib import Path

from tests.eval_gate import load_corpus
from transforms.detect import _people, sentence_mentions
from transforms.extract import analyze_article, article_from_json
from transforms.lexicon import load_lexicon

lex = load_lexicon()

items = {i["id"]: i for i in load_corpus()} | {
    i["id"]: i for i in load_corpus(Path("/tmp"), ("third_writer.jsonl",))
}
for ident in sys.argv[1:]:
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
