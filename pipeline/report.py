"""``hotline report``: the calls in the warehouse as one static, self-contained HTML page.

warehouse ─► named queries ``report_calls``, ``report_evidence``, ``report_monthly``,
``report_feed_health`` (pipeline/queries, GoogleSQL, translated per engine) ─► ``ReportData``
─► ``render`` ─► report.html

The page: a timeline of the calls by leader pair (one lane each; held, scheduled and requested
calls differ in colour, marker shape and border style, and say so in words), the calls per
month as a stacked bar chart, one card per call (date, status, medium, who asked for it,
topics, the Arabic evidence sentence, the outlets that reported it with links) and a
feed-health table. Filters by pair, year and status are inline JavaScript; the filter state
lives in the URL fragment (``report.html#pair=joe-biden_vladimir-putin&year=2021&status=held``)
so a filtered view can be linked to.

Self-contained: no CDN, no web font, no network at all; CSS, JS and charts (SVG) are inline,
and a Content-Security-Policy allows only that exact CSS and JS (by hash). Article text is
untrusted: every value from the warehouse goes through ``html.escape``, only http(s) links
become ``href``s, and attribute vocabularies (status, pair, year) are closed. Arabic text sits
in ``lang="ar" dir="rtl"`` blocks (``dir="auto"`` where it may be either, e.g. titles and
outlet names), inside an English page (``lang="en"``).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any, TextIO
from urllib.parse import urlparse

from pipeline import queries
from pipeline.warehouse import (
    DEFAULT_WAREHOUSE,
    Warehouse,
    open_warehouse,
    parse_warehouse_url,
)

_LOGGER = logging.getLogger(__name__)

Row = dict[str, Any]

QUERY_NAMES = ("report_calls", "report_evidence", "report_monthly", "report_feed_health")
STATUSES = ("held", "scheduled", "requested", "unknown")
STATUS_WORDS = {
    "held": "held",
    "scheduled": "scheduled",
    "requested": "requested",
    "unknown": "status unknown",
}
STATUS_HINTS = {
    "held": "the call took place",
    "scheduled": "announced, upcoming when reported",
    "requested": "asked for or proposed, not agreed",
    "unknown": "the reports do not say",
}
REQUESTED_BY = {"us": "US side", "russia": "Russian side"}
SOURCE_SIDES = {"us": "US officials", "russia": "the Kremlin", "other": "media or third parties"}
DEFAULT_OUT = "report.html"

# Chart geometry (SVG user units; the SVGs scale to the page width).
WIDTH = 960
LANE_LABEL = 170
LANE_HEIGHT = 46
CHART_HEIGHT = 170
CHART_TOP = 14
CHART_BOTTOM = 26


# -------------------------------------------------------------------------------- data ----


@dataclass(frozen=True)
class ReportData:
    """What the page shows, as the named queries return it."""

    calls: Sequence[Row]
    reports: Sequence[Row]
    monthly: Sequence[Row]
    feeds: Sequence[Row]
    warehouse: str
    generated_at: dt.datetime
    reports_by_call: Mapping[str, Sequence[Row]] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Row]] = {}
        for r in self.reports:
            grouped.setdefault(str(r.get("call_id")), []).append(r)
        object.__setattr__(self, "reports_by_call", grouped)


def load_report_data(wh: Warehouse, generated_at: dt.datetime | None = None) -> ReportData:
    """Run the report's named queries against ``wh``."""
    rows: dict[str, list[Row]] = {}
    for name in QUERY_NAMES:
        named = queries.get(name)
        if named is None:  # a packaging error, not a user error
            raise RuntimeError(f"named query {name!r} is missing from pipeline/queries")
        rows[name] = wh.rows(named.sql_for(wh.dialect))
    return ReportData(
        calls=rows["report_calls"],
        reports=rows["report_evidence"],
        monthly=rows["report_monthly"],
        feeds=rows["report_feed_health"],
        warehouse=wh.url,
        generated_at=generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0),
    )


# ----------------------------------------------------------------------- pure functions ----


def esc(value: Any) -> str:
    """Text for HTML content and attribute values (quotes escaped too)."""
    return escape("" if value is None else str(value), quote=True)


def safe_href(url: Any) -> str | None:
    """An escaped ``href`` for http(s) URLs; None for anything else (javascript:, data:...)."""
    if not isinstance(url, str):
        return None
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    return esc(url.strip())


def slug(*parts: Any) -> str:
    """``Joe Biden``, ``Vladimir Putin`` -> ``joe-biden_vladimir-putin`` (a closed alphabet)."""
    return "_".join(
        re.sub(r"[^a-z0-9]+", "-", str(p or "unknown").lower()).strip("-") or "unknown"
        for p in parts
    )


def status_of(row: Mapping[str, Any]) -> str:
    value = row.get("call_status")
    return value if value in STATUSES else "unknown"


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if isinstance(value, str) and value:
        try:
            return as_datetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def call_day(call: Mapping[str, Any]) -> dt.date | None:
    """The call's date, or the day it was first reported when the date is unknown."""
    return as_date(call.get("call_date")) or as_date(call.get("first_reported_at"))


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%a %-d %b %Y") if value else ""


def fmt_time(value: Any) -> str:
    moment = as_datetime(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def words(value: Any) -> str:
    """``strategic_stability`` -> ``strategic stability``."""
    return str(value or "").replace("_", " ")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def pair_name(call: Mapping[str, Any], short: bool = False) -> str:
    us, ru = call.get("us_leader") or "?", call.get("russian_leader") or "?"
    if short:
        us, ru = us.split()[-1], ru.split()[-1]
    return f"{us} – {ru}"


def evidence_texts(report: Mapping[str, Any]) -> list[str]:
    out = []
    for item in report.get("evidence") or []:
        text = item.get("text") if isinstance(item, Mapping) else None
        if text and text.strip():
            out.append(text.strip())
    return out


def month_range(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _asset(name: str) -> str:
    return (resources.files("pipeline") / "templates" / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- fragments ----


def _attrs(call: Mapping[str, Any]) -> str:
    day = call_day(call)
    return (
        f'data-pair="{slug(call.get("us_leader"), call.get("russian_leader"))}" '
        f'data-year="{day.year if day else "unknown"}" data-status="{status_of(call)}"'
    )


def _marker(status: str, x: float, y: float) -> str:
    """The status's marker shape: held filled, scheduled hollow, requested dashed diamond."""
    if status == "held":
        return f'<circle class="mk held" cx="{x:.1f}" cy="{y:.1f}" r="7"/>'
    if status == "scheduled":
        return f'<circle class="mk scheduled" cx="{x:.1f}" cy="{y:.1f}" r="6.5"/>'
    if status == "requested":
        pts = f"{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},{y + 8:.1f} {x - 8:.1f},{y:.1f}"
        return f'<polygon class="mk requested" points="{pts}"/>'
    return f'<circle class="mk unknown" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'


def render_legend() -> str:
    items = []
    for status in STATUSES:
        items.append(
            f'<li><svg class="key" viewBox="-10 -10 20 20" aria-hidden="true">'
            f"{_marker(status, 0, 0)}</svg> <b>{STATUS_WORDS[status]}</b>"
            f' <span class="hint">{STATUS_HINTS[status]}</span></li>'
        )
    return '<ul class="legend">' + "".join(items) + "</ul>"


def render_timeline(calls: Sequence[Row], pairs: Sequence[tuple[str, Row]]) -> str:
    days = [d for d in (call_day(c) for c in calls) if d]
    if not days:
        return '<p class="empty-note">No dated calls yet.</p>'
    start = dt.date(min(days).year, 1, 1)
    end = dt.date(max(days).year + 1, 1, 1)
    span = (end - start).days or 1
    plot = WIDTH - LANE_LABEL - 20
    height = LANE_HEIGHT * len(pairs) + 30

    def x_of(day: dt.date) -> float:
        return LANE_LABEL + plot * (day - start).days / span

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Calls over time, one lane per leader pair">'
    ]
    for year in range(start.year, end.year + 1):
        x = x_of(dt.date(year, 1, 1))
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height - 24}"/>')
        if year < end.year:
            mid = x_of(dt.date(year, 7, 1))
            parts.append(f'<text class="tick" x="{mid:.1f}" y="{height - 8}">{year}</text>')
    for i, (pair, first) in enumerate(pairs):
        y = LANE_HEIGHT * i + LANE_HEIGHT / 2
        parts.append(
            f'<g class="lane" data-lane="{pair}"><rect class="lane-bg" x="0" '
            f'y="{y - LANE_HEIGHT / 2 + 3:.1f}" width="{WIDTH}" height="{LANE_HEIGHT - 6}"/>'
            f'<text class="lane-label" x="10" y="{y + 5:.1f}">{esc(pair_name(first))}</text></g>'
        )
        lane_calls = [c for c in calls if slug(c.get("us_leader"), c.get("russian_leader")) == pair]
        for call in sorted(lane_calls, key=lambda c: _marker_order(c)):
            day = call_day(call)
            if day is None:
                continue
            status = status_of(call)
            label = f"{pair_name(call)}, {fmt_date(day)}: {STATUS_WORDS[status]}"
            parts.append(
                f'<a href="#call-{esc(call.get("call_id"))}" class="marker" data-marker '
                f"{_attrs(call)}><title>{esc(label)}</title>{_marker(status, x_of(day), y)}</a>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _marker_order(call: Mapping[str, Any]) -> tuple[int, str]:
    # held last, so a held call is drawn on top of the announcement of the same day
    return (
        ("unknown", "requested", "scheduled", "held").index(status_of(call)),
        str(call.get("call_id")),
    )


def render_monthly(monthly: Sequence[Row]) -> str:
    """Stacked bars per month (segments by pair and status); the JS restacks them on filter."""
    cells: dict[tuple[int, int], list[tuple[str, str, int]]] = {}
    for r in monthly:
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(r.get("month") or ""))
        if not match:
            continue
        key = (int(match[1]), int(match[2]))
        pair = slug(r.get("us_leader"), r.get("russian_leader"))
        status = status_of(r)
        cells.setdefault(key, []).append((pair, status, int(r.get("calls") or 0)))
    if not cells:
        return '<p class="empty-note">No calls yet.</p>'
    months = month_range(dt.date(min(cells)[0], 1, 1), dt.date(max(cells)[0], 12, 1))
    top = max(sum(n for *_, n in segs) for segs in cells.values())
    plot_w = WIDTH - 50
    bar_w = plot_w / len(months)
    base = CHART_HEIGHT - CHART_BOTTOM
    unit = (base - CHART_TOP) / top
    parts = [
        f'<svg class="months" id="months-chart" viewBox="0 0 {WIDTH} {CHART_HEIGHT}" role="img" '
        f'aria-label="Calls per month, by status" data-base="{base}" data-unit="{unit:.4f}">'
    ]
    for n in range(0, top + 1, max(1, top // 4)):
        y = base - n * unit
        parts.append(
            f'<line class="grid" x1="40" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick y" x="34" y="{y + 4:.1f}">{n}</text>'
        )
    order = {s: i for i, s in enumerate(STATUSES)}
    for i, (year, month) in enumerate(months):
        x = 44 + i * bar_w
        if month == 1:
            parts.append(
                f'<text class="tick" x="{x + 6 * bar_w:.1f}" y="{CHART_HEIGHT - 6}">{year}</text>'
            )
            parts.append(
                f'<line class="grid year" x1="{x:.1f}" x2="{x:.1f}" y1="{CHART_TOP}" y2="{base}"/>'
            )
        segs = sorted(cells.get((year, month), []), key=lambda s: (order[s[1]], s[0]))
        if not segs:
            continue
        parts.append(f'<g data-month="{year:04d}-{month:02d}">')
        y = base
        for pair, status, n in segs:
            h = n * unit
            y -= h
            parts.append(
                f'<rect class="seg {status}" data-seg data-pair="{pair}" data-year="{year}" '
                f'data-status="{status}" data-n="{n}" x="{x + 0.5:.1f}" y="{y:.1f}" '
                f'width="{max(bar_w - 1, 1.5):.1f}" height="{h:.1f}">'
                f"<title>{year}-{month:02d}: {n} {STATUS_WORDS[status]}</title></rect>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def render_sources(reports: Sequence[Row]) -> str:
    items = []
    for r in reports:
        outlet = esc(r.get("outlet") or "unknown outlet")
        href = safe_href(r.get("url"))
        name = f'<a href="{href}" rel="noopener noreferrer">{outlet}</a>' if href else outlet
        title = r.get("title")
        title_html = f' <q class="title" lang="ar" dir="auto">{esc(title)}</q>' if title else ""
        when = as_datetime(r.get("published_at"))
        stamp = (
            f'<time datetime="{esc(when.isoformat())}">{esc(fmt_time(when))}</time>' if when else ""
        )
        said = STATUS_WORDS[status_of(r)]
        items.append(
            f'<li><bdi class="outlet" dir="auto">{name}</bdi> <span class="dim">· {stamp}'
            f" · says {said}</span>{title_html}</li>"
        )
    return '<ul class="sources">' + "".join(items) + "</ul>"


def render_call(call: Row, reports: Sequence[Row]) -> str:
    status = status_of(call)
    call_id = esc(call.get("call_id"))
    date = as_date(call.get("call_date"))
    if date:
        when = f'<time datetime="{date.isoformat()}">{fmt_date(date)}</time>'
    else:
        first = as_date(call.get("first_reported_at"))
        when = '<span class="undated">date not stated</span>'
        if first:
            when += f'<span class="dim">first reported {fmt_date(first)}</span>'
    asked = REQUESTED_BY.get(str(call.get("requested_by")))
    badge = f'<span class="badge {status}" title="{STATUS_HINTS[status]}">{STATUS_WORDS[status]}'
    meta = [
        badge + "</span>",
        f"<span>{esc(call.get('medium') or 'medium not stated')}</span>",
        f'<span class="asked">{"requested by the " + asked if asked else "initiator not stated"}'
        "</span>",
        f'<span class="dim">{plural(int(call.get("report_count") or len(reports)), "report")} · '
        f"{plural(int(call.get('outlet_count') or 0), 'outlet')}</span>",
    ]
    topics = "".join(f"<li>{esc(words(t))}</li>" for t in call.get("topics") or [])
    topics_html = f'<ul class="topics" aria-label="topics">{topics}</ul>' if topics else ""
    first_ev = next((t for r in reports for t in evidence_texts(r)), None)
    evidence = (
        f'<blockquote class="evidence" lang="ar" dir="rtl">{esc(first_ev)}</blockquote>'
        if first_ev
        else '<p class="dim">no evidence sentence stored</p>'
    )
    source = next((r for r in reports if r.get("source_side") or r.get("source_text")), None)
    source_html = ""
    if source:
        side = SOURCE_SIDES.get(str(source.get("source_side")), "unattributed")
        text = source.get("source_text")
        quoted = f' — <q lang="ar" dir="rtl">{esc(text)}</q>' if text else ""
        source_html = f'<p class="attrib">attributed to {side}{quoted}</p>'
    more = list(dict.fromkeys(t for r in reports for t in evidence_texts(r) if t != first_ev))
    more_html = ""
    if more:
        quotes = "".join(f'<blockquote lang="ar" dir="rtl">{esc(t)}</blockquote>' for t in more)
        more_html = (
            '<details class="more"><summary>'
            f"{plural(len(more), 'more evidence sentence')}</summary>{quotes}</details>"
        )
    return (
        f'<li class="call {status}" id="call-{call_id}" data-call {_attrs(call)}>'
        f'<div class="when">{when}</div><div class="body">'
        f'<div class="meta">{"".join(meta)}</div>{topics_html}{evidence}{source_html}'
        f"{render_sources(reports)}{more_html}</div></li>"
    )


def render_calls(data: ReportData, pairs: Sequence[tuple[str, Row]]) -> str:
    out = []
    for pair, first in pairs:
        calls = [c for c in data.calls if slug(c.get("us_leader"), c.get("russian_leader")) == pair]
        calls.sort(key=lambda c: (call_day(c) or dt.date.min, str(c.get("call_id"))), reverse=True)
        cards = "".join(
            render_call(c, data.reports_by_call.get(str(c.get("call_id")), [])) for c in calls
        )
        out.append(
            f'<section class="pair" data-pair="{pair}"><h3>{esc(pair_name(first))} '
            f'<span class="dim">{plural(len(calls), "call")}</span></h3>'
            f'<ol class="cards">{cards}</ol></section>'
        )
    return "".join(out)


FEED_STATUS = {"ok": "ok", "not_modified": "not modified", "error": "error"}


def render_feeds(feeds: Sequence[Row]) -> str:
    if not feeds:
        return '<p class="empty-note">No feed has been polled yet.</p>'
    rows = []
    for f in feeds:
        status = str(f.get("last_status") or "never")
        css = status if status in FEED_STATUS else "never"
        http = f.get("http_status")
        href = safe_href(f.get("feed_url"))
        url = esc(f.get("feed_url"))
        feed = f'<a href="{href}" rel="noopener noreferrer">{url}</a>' if href else url
        failures = int(f.get("consecutive_failures") or 0)
        problem = f.get("problem")
        rows.append(
            f'<tr class="{"failing" if failures else ""}">'
            f'<td><bdi dir="auto">{esc(f.get("outlet") or "—")}</bdi></td>'
            f'<td class="url">{feed}</td>'
            f'<td><span class="fstatus {css}">{esc(FEED_STATUS.get(status, status))}</span>'
            f"{f' <span class=dim>HTTP {int(http)}</span>' if isinstance(http, int) else ''}</td>"
            f"<td>{esc(fmt_time(f.get('last_polled_at')))}</td>"
            f"<td>{esc(fmt_time(f.get('last_success_at')))}</td>"
            f'<td class="num">{failures}</td>'
            f'<td class="num">{int(f.get("articles") or 0)}</td>'
            f'<td class="num">{int(f.get("call_reports") or 0)}</td>'
            f'<td class="num">{int(f.get("dead_letters") or 0)}</td>'
            f'<td class="problem" dir="auto">{esc(problem) if problem else ""}</td></tr>'
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Outlet",
            "Feed",
            "Last status",
            "Last polled",
            "Last success",
            "Failures in a row",
            "Articles",
            "Call reports",
            "Dead letters",
            "Last problem",
        )
    )
    return (
        f'<table class="feeds"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def render_filters(calls: Sequence[Row], pairs: Sequence[tuple[str, Row]]) -> str:
    years = sorted({d.year for d in (call_day(c) for c in calls) if d}, reverse=True)
    counts = {s: sum(1 for c in calls if status_of(c) == s) for s in STATUSES}
    pair_opts = "".join(
        f'<option value="{p}">{esc(pair_name(first))}</option>' for p, first in pairs
    )
    year_opts = "".join(f'<option value="{y}">{y}</option>' for y in years)
    chips = [
        '<button type="button" class="chip" data-set-status="" aria-pressed="true">all</button>'
    ]
    chips += [
        f'<button type="button" class="chip {s}" data-set-status="{s}" aria-pressed="false">'
        f'{STATUS_WORDS[s]} <span class="n">{counts[s]}</span></button>'
        for s in STATUSES
        if counts[s] or s != "unknown"
    ]
    return (
        '<form class="filters" id="filters" aria-label="Filter the calls">'
        '<label>Leader pair <select id="f-pair" name="pair"><option value="">all pairs</option>'
        f"{pair_opts}</select></label>"
        '<label>Year <select id="f-year" name="year"><option value="">all years</option>'
        f"{year_opts}</select></label>"
        f'<div class="chips" role="group" aria-label="Status">{"".join(chips)}</div>'
        f'<output id="shown" aria-live="polite">{len(calls)} of {len(calls)} calls</output></form>'
    )


def pairs_of(calls: Sequence[Row]) -> list[tuple[str, Row]]:
    """Leader pairs, the one with the latest call first: ``[(slug, a call of it)]``."""
    latest: dict[str, tuple[dt.date, Row]] = {}
    for c in calls:
        key = slug(c.get("us_leader"), c.get("russian_leader"))
        day = call_day(c) or dt.date.min
        if key not in latest or day > latest[key][0]:
            latest[key] = (day, c)
    return [
        (k, v[1]) for k, v in sorted(latest.items(), key=lambda kv: (kv[1][0], kv[0]), reverse=True)
    ]


def render(data: ReportData) -> str:
    """The whole page (pure: the same data gives the same bytes)."""
    pairs = pairs_of(data.calls)
    outlets = {r.get("outlet") for r in data.reports if r.get("outlet")}
    css, js = _asset("report.css"), _asset("report.js")
    summary = (
        f"{plural(len(data.calls), 'call')} · {plural(len(pairs), 'leader pair')} · "
        f"{plural(len(data.reports), 'report')} from {plural(len(outlets), 'outlet')}"
    )
    csp = (
        f"default-src 'none'; style-src '{_hash(css)}'; script-src '{_hash(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    page = Template(_asset("page.html"))
    return page.substitute(
        csp=esc(csp),
        css=css,
        js=js,
        summary=esc(summary),
        generated=esc(fmt_time(data.generated_at)),
        warehouse=esc(data.warehouse),
        legend=render_legend(),
        filters=render_filters(data.calls, pairs),
        timeline=render_timeline(data.calls, pairs),
        monthly=render_monthly(data.monthly),
        calls=render_calls(data, pairs)
        or '<p class="empty-note">No calls in the warehouse yet.</p>',
        feeds=render_feeds(data.feeds),
    )


# ---------------------------------------------------------------------------- command ----


def default_out(warehouse_url: str) -> Path:
    """``report.html`` beside a DuckDB file; in the current folder for BigQuery."""
    scheme, location = parse_warehouse_url(warehouse_url)
    if scheme == "duckdb":  # duckdb:////abs/w.duckdb has the location //abs/w.duckdb
        path = "/" + location.lstrip("/") if location.startswith("/") else location
        return Path(os.path.abspath(path)).parent / DEFAULT_OUT
    return Path(DEFAULT_OUT).resolve()


def write_report(
    warehouse_url: str,
    out: str | os.PathLike[str] | None = None,
    *,
    generated_at: dt.datetime | None = None,
    **options: Any,
) -> tuple[Path, ReportData]:
    """Render the report of the warehouse at ``warehouse_url`` into ``out``."""
    path = Path(out).resolve() if out else default_out(warehouse_url)
    with open_warehouse(warehouse_url, read_only=True, **options) as wh:
        data = load_report_data(wh, generated_at)
    html = render(data)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ValueError(f"--out {str(path)!r}: cannot write: {exc.strerror or exc}") from exc
    _LOGGER.info("report: %d calls, %d reports -> %s", len(data.calls), len(data.reports), path)
    return path, data


def add_report_parser(sub: Any) -> None:
    """The ``hotline report`` subcommand (hooked into ``pipeline.cli``)."""
    report = sub.add_parser(
        "report",
        help="write a static HTML page of the calls: timeline, chart, evidence, feed health",
        description="A self-contained HTML page (no network needed to view it), generated "
        "from the warehouse through the report_* named queries.",
    )
    report.add_argument("--warehouse", default=DEFAULT_WAREHOUSE)
    report.add_argument(
        "--out",
        default=None,
        help="the HTML file to write (default: report.html beside a DuckDB warehouse, "
        "else in the current folder)",
    )
    report.add_argument("--bigquery-endpoint", default=None, help="BigQuery emulator URL")


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from pipeline.cli import EXIT_OK

    path, data = write_report(args.warehouse, args.out, endpoint=args.bigquery_endpoint)
    counts = f"{plural(len(data.calls), 'call')}, {plural(len(data.reports), 'report')}"
    print(f"report: {path} ({counts})", file=out)
    return EXIT_OK
