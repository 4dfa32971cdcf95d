"""`bantin show`: one article with every version and the WARC record each came from."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from scraper.cli.verify import open_store


def find_articles(store: Any, key: str) -> list[dict[str, Any]]:
    """Articles whose id is `key`, or whose canonical or any fetched URL is `key`."""
    import sqlalchemy as sa

    from archive import models as m

    a = m.Article.__table__
    au = m.ArticleUrl.__table__
    with store.engine.connect() as conn:
        if key.isdigit():
            rows = conn.execute(sa.select(a).where(a.c.id == int(key))).mappings().all()
        else:
            ids = sa.select(au.c.article_id).where(au.c.url == key)
            rows = conn.execute(
                sa.select(a).where(sa.or_(a.c.url == key, a.c.id.in_(ids))).order_by(a.c.id)
            ).mappings().all()
    return [dict(r) for r in rows]


def provenance(store: Any, article: dict[str, Any]) -> dict[str, Any]:
    """The article and its versions with fetch times and WARC pointers, JSON-ready."""
    versions = []
    for v in store.versions(article["id"]):
        versions.append({
            "version": v["number"],
            "version_id": v["id"],
            "fetched_at": _iso(v["fetched_at"]),
            "run_id": v["run_id"],
            "http_status": v["http_status"],
            "url": v["url"],
            "title": v["title"],
            "published_at": v["published_at"],
            "content_hash": v["content_hash"],
            "warc": {
                "file": v["warc_file"],
                "offset": v["warc_offset"],
                "record_id": v["warc_record_id"],
                "payload_digest": v["payload_digest"],
            } if v["warc_file"] else None,
        })
    return {
        "article_id": article["id"],
        "source_id": article["source_id"],
        "url": article["url"],
        "status": article["status"],
        "first_seen": _iso(article["first_seen"]),
        "last_seen": _iso(article["last_seen"]),
        "current_version_id": article["current_version_id"],
        "versions": versions,
    }


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _text(info: dict[str, Any]) -> str:
    lines = [
        f"Article {info['article_id']}  [{info['source_id']}]  {info['status']}",
        f"  URL         {info['url']}",
        f"  first seen  {info['first_seen']}",
        f"  last seen   {info['last_seen']}",
        f"  versions    {len(info['versions'])}",
    ]
    for v in info["versions"]:
        current = "  (current)" if v["version_id"] == info["current_version_id"] else ""
        lines.append("")
        lines.append(f"  Version {v['version']}{current}")
        lines.append(f"    fetched at      {v['fetched_at']}   (run {v['run_id']}, "
                     f"HTTP {v['http_status']})")
        lines.append(f"    title           {v['title'] or ''}")
        if v["published_at"]:
            lines.append(f"    published       {v['published_at']}")
        lines.append(f"    content hash    {v['content_hash']}")
        warc = v["warc"]
        if warc:
            lines.append(f"    WARC file       {warc['file']}")
            lines.append(f"    offset          {warc['offset']}")
            lines.append(f"    record id       {warc['record_id']}")
            lines.append(f"    payload digest  {warc['payload_digest']}")
        else:
            lines.append("    WARC            (not captured: the crawl ran with capture off)")
    return "\n".join(lines)


@click.command()
@click.argument("article", metavar="URL|ID")
@click.option("--db", metavar="URL", help="Store URL (default: $BANTIN_DB or "
              "sqlite:///data/bantin.db).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Human-readable text or JSON.")
def command(article: str, db: str | None, fmt: str) -> None:
    """Show one article, each version, when it was fetched and its WARC record.

    URL|ID is the article's number or any URL it was fetched under. The WARC pointer
    (file, offset, record id, payload digest) is the provenance to cite: `warcio extract
    FILE OFFSET` prints the response exactly as the portal sent it.

    \b
    Exit codes:
      0  found (several articles when the URL exists under several sources)
      1  no such article
      2  bad usage or no store
    """
    store = open_store(db)
    try:
        found = find_articles(store, article)
        infos = [provenance(store, a) for a in found]
    finally:
        store.close()
    if not infos:
        click.echo(f"no article {article!r} in the store", err=True)
        sys.exit(1)
    if fmt == "json":
        payload: Any = infos[0] if len(infos) == 1 else infos
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(_text(i) for i in infos))
