"""Benchmark: articles per second of the extractor (``hotline extract``'s core function) on one
core, beside a plain keyword regex as the reference.

The corpus is the labelled dev corpus replicated to at least 10,000 articles (about half of them
call reports and most of the rest hard negatives: far harder than a real news feed, where 2 % or
fewer are). Both contenders get the same article objects; time is CPU time of this process,
pinned to one core. The reference is the "keyword grep" baseline the accuracy issue names:
fold the text, then one regex for the two presidents' names and one for a call word; its
precision and recall on the corpus are printed too, for the quality side of the trade.
A last line runs a feed-like mix for scale: 2 % call reports from the dev corpus among the
pipeline benchmark's generated ordinary news (templated and shorter than real pages, so this
figure flatters; the first one is the target's).

    python -m bench.extract_bench [--min-articles 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from bench.arabic_corpus import Corpus
from pipeline.records import Article
from tests.eval_gate import load_corpus
from transforms.extract import analyze_article, article_from_json
from transforms.lexicon import load_lexicon
from transforms.normalize import fold

_US = re.compile(r"بايدن|ترامب|ترمب|اوباما")
_RU = re.compile(r"بوتين|بوتن|ميدفيديف|مدفيديف")
_CALL = re.compile(r"هاتف|اتصال|مكالم|محادث")


def keyword_regex(text: str) -> bool:
    folded = fold(text)
    return bool(_US.search(folded) and _RU.search(folded) and _CALL.search(folded))


def timed(fn, items) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for item in items:
        fn(item)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    corpus = load_corpus()
    copies = -(-args.min_articles // len(corpus))
    articles = [article_from_json(item) for item in corpus] * copies
    texts = [a.text for a in articles]
    lexicon = load_lexicon()

    analyze_article(lexicon, articles[0])  # warm-up
    ours = [timed(lambda a: analyze_article(lexicon, a), articles) for _ in range(args.repeat)]
    ref = [timed(keyword_regex, texts) for _ in range(args.repeat)]
    ours_rate = len(articles) / statistics.median(ours)
    ref_rate = len(texts) / statistics.median(ref)

    labels = [bool(i["label"]["is_call_report"]) for i in corpus]
    hits = [keyword_regex(i["text"]) for i in corpus]
    tp = sum(h and y for h, y in zip(hits, labels, strict=True))
    fp = sum(h and not y for h, y in zip(hits, labels, strict=True))
    fn = sum(y and not h for h, y in zip(hits, labels, strict=True))

    print(
        f"extract benchmark: {len(articles)} articles ({len(corpus)} labelled x {copies}), "
        f"one core, median of {args.repeat} runs (CPU time)"
    )
    print(f"  hotline extractor   {ours_rate:10,.0f} articles/s")
    print(
        f"  keyword regex       {ref_rate:10,.0f} articles/s   "
        f"(precision {tp / (tp + fp):.3f}, recall {tp / (tp + fn):.3f} on the dev corpus, "
        "no fields)"
    )
    print(f"  ratio               {ref_rate / ours_rate:10.1f} x slower than the regex")
    print("  targets             >= 2,000 articles/s, <= 5x the regex")

    # A feed-like mix for scale: 2 % call reports (the dev corpus's positives), the rest the
    # generated ordinary news of the pipeline benchmark (templated, shorter than real pages).
    positives = [a for a, y in zip(articles, labels * copies, strict=True) if y]
    generated = Corpus(feeds=10, items_per_feed=1000, report_share=0.0)
    news = [
        Article(f"n{n}", "https://bench.test/", None, None, it.title, it.body, it.published, None)
        for n, it in enumerate(it for f in range(10) for it in generated.items(f))
    ]
    mix = news[: len(articles) * 98 // 100] + positives[: len(articles) * 2 // 100]
    mixed = [timed(lambda a: analyze_article(lexicon, a), mix) for _ in range(args.repeat)]
    print(
        f"  feed-like mix       {len(mix) / statistics.median(mixed):10,.0f} articles/s   "
        f"({len(mix)} articles, 2 % call reports, generated news)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
