"""Dead letters: every failure of every stage becomes an ``ingest_errors`` row; the run goes on.

Stages yield ``beam.pvalue.TaggedOutput(DEAD_LETTER, DeadLetter(...))`` and count the failure;
``RecordDeadLetters`` turns them into warehouse write operations. Nothing is dropped silently.

Metrics: ``deadletter/<stage>`` per stage.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from pipeline.records import DeadLetter, RunContext, dead_letter_row

_LOGGER = logging.getLogger(__name__)

DEAD_LETTER = "dead_letter"


def describe(exc: BaseException) -> str:
    """A one-line, human-readable reason for an exception."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or exc.__class__.__name__


def dead_letter(
    stage: str,
    url: str | None,
    exc: BaseException | str,
    *,
    detail: str | None = None,
    payload: str | bytes | None = None,
    feed_url: str | None = None,
) -> DeadLetter:
    """Build a DeadLetter from an exception (or an error class name and a detail)."""
    if isinstance(exc, BaseException):
        error = getattr(exc, "error_class", None) or exc.__class__.__name__
        reason = detail or describe(exc)
    else:
        error = exc
        reason = detail or exc
    if isinstance(payload, bytes):
        payload = payload[: DeadLetter.PAYLOAD_LIMIT * 4].decode("utf-8", errors="replace")
    if payload is not None and len(payload) > DeadLetter.PAYLOAD_LIMIT:
        payload = payload[: DeadLetter.PAYLOAD_LIMIT]
    return DeadLetter(
        stage=stage, url=url, error=error, detail=reason, payload=payload, feed_url=feed_url
    )


class DeadLetterRowFn(beam.DoFn):
    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def process(self, dl: DeadLetter) -> Iterator[tuple[str, str, dict[str, Any]]]:
        beam.metrics.Metrics.counter("deadletter", dl.stage).inc()
        _LOGGER.warning("dead letter at %s: %s %s (%s)", dl.stage, dl.error, dl.url, dl.detail)
        yield ("upsert", "ingest_errors", dead_letter_row(dl, self._ctx))


class RecordDeadLetters(beam.PTransform):
    """DeadLetter -> warehouse upserts of ``ingest_errors``.

    Takes one PCollection, or a dict of them (one per stage) and returns a dict of the same
    keys: no Flatten, so no runner materialises every dead letter of a run in one place.
    """

    def __init__(self, ctx: RunContext) -> None:
        super().__init__()
        self._ctx = ctx

    def expand(self, letters: Any) -> Any:
        if isinstance(letters, dict):
            return {
                name: pcoll | f"ToErrorRows{name}" >> beam.ParDo(DeadLetterRowFn(self._ctx))
                for name, pcoll in letters.items()
            }
        return letters | "ToErrorRows" >> beam.ParDo(DeadLetterRowFn(self._ctx))
