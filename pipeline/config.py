"""Load and validate the feeds file.

Format (fixed; other tools write it)::

    feeds:
      - url: https://example.org/rss.xml   # http(s):// or file:// (relative file:// paths
        outlet: Example News               #   resolve against the YAML's folder)
        country: EG                        # optional

A bad file raises ``ConfigError`` naming the file, the entry and the problem.
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote, urlparse

import yaml

from pipeline.records import FeedSpec


class ConfigError(ValueError):
    """The feeds file is missing or malformed."""


def resolve_feed_url(url: str, base_dir: str) -> str:
    """Make a relative ``file://`` URL absolute against ``base_dir``; check the scheme."""
    p = urlparse(url)
    if p.scheme in ("http", "https"):
        if not p.hostname:
            raise ConfigError(f"no host in feed URL {url!r}")
        return url
    if p.scheme != "file":
        raise ConfigError(f"feed URL {url!r}: only http://, https:// and file:// are allowed")
    path = unquote(p.path)
    if p.netloc and p.netloc != "localhost":
        path = p.netloc + path  # file://./feed.xml, file://feeds/x.xml
    if not os.path.isabs(path):
        path = os.path.normpath(os.path.join(base_dir, path))
    return "file://" + quote(path)


def parse_feeds(data: Any, source: str, base_dir: str) -> list[FeedSpec]:
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise ConfigError(f"{source}: expected a mapping with a 'feeds' list")
    specs: list[FeedSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["feeds"], start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: feed #{i} is not a mapping")
        url = entry.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ConfigError(f"{source}: feed #{i} has no 'url'")
        outlet = entry.get("outlet")
        if outlet is not None and not isinstance(outlet, str):
            raise ConfigError(f"{source}: feed #{i} 'outlet' must be text")
        country = entry.get("country")
        try:
            resolved = resolve_feed_url(url.strip(), base_dir)
        except ConfigError as exc:
            raise ConfigError(f"{source}: feed #{i}: {exc}") from None
        if resolved in seen:
            continue
        seen.add(resolved)
        specs.append(
            FeedSpec(
                url=resolved,
                outlet=outlet or urlparse(url).hostname or url,
                country=str(country) if country else None,
            )
        )
    if not specs:
        raise ConfigError(f"{source}: the 'feeds' list is empty")
    return specs


def load_feeds(path: str | None) -> list[FeedSpec]:
    """The feeds of ``path``, or of the bundled catalogue when ``path`` is None."""
    if path is None:
        text = resources.files("pipeline").joinpath("feeds", "catalogue.yaml").read_text("utf-8")
        return parse_feeds(yaml.safe_load(text), "bundled catalogue", os.getcwd())
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(f"--feeds {path}: no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"--feeds {path}: not valid YAML: {exc}") from None
    return parse_feeds(data, path, os.path.dirname(os.path.abspath(path)))
