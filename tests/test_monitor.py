"""`bantin monitor` end to end: the real CLI crawls the sample portal on loopback, the portal
changes between runs, and each run reports exactly what changed, once."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import feedparser
import pytest

from scraper.sample_portal import SamplePortal, serve
from tests.crawl_helpers import BANTIN, FAST, env, write_sources
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.slow

N_ARTICLES = 12


def monitor(tmp: Path, sources: Path, db: str, *args: str) -> tuple[int, list[dict], str]:
    cmd = [*BANTIN, "monitor", "--sources", str(sources), "--db", db,
           "--jobdir", str(tmp / "jobs"), "--warc-dir", str(tmp / "warc"), *FAST, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp, env=env())
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, events, proc.stderr


def kinds(events: list[dict]) -> list[tuple[str, str | None]]:
    return sorted((e["kind"], e["url"]) for e in events)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """Four monitor runs over one portal: first sight, quiet hour, edits, delivery retry."""
    tmp = tmp_path_factory.mktemp("monitor")
    portal = SamplePortal(n_articles=N_ARTICLES, seed=3, flaky_failures=0)
    running = serve(portal)
    hook = Receiver(fail_statuses=[503])
    try:
        sources = write_sources(tmp / "sources.yaml", running.url)
        db = f"sqlite:///{tmp / 'bantin.db'}"
        hook_args = ("--webhook", hook.url, "--webhook-retries", "0")
        feed = tmp / "feed.atom"
        runs = {"first": monitor(tmp, sources, db, *hook_args)}
        runs["quiet"] = monitor(tmp, sources, db, *hook_args)
        articles = portal.articles()
        edited, removed = articles[1], articles[2]
        by_url = {e.id: e.url for e in running.expected_articles()}
        portal.edit_article(edited.id, title=edited.title + " (cập nhật)")
        portal.remove_article(removed.id)
        added = portal.add_article("thong-bao", title="Thông báo lịch tiếp công dân tháng 12")
        runs["changes"] = monitor(tmp, sources, db, *hook_args, "--feed", str(feed))
        runs["after"] = monitor(tmp, sources, db, *hook_args)
        added_url = next(e.url for e in running.expected_articles() if e.id == added.id)
        yield {
            "runs": runs, "hook": hook, "feed": feed, "expected": by_url,
            "edited": by_url[edited.id], "removed": by_url[removed.id], "added": added_url,
        }
    finally:
        hook.stop()
        running.stop()


def test_first_run_reports_every_article_as_new_and_exits_3(story):
    code, events, stderr = story["runs"]["first"]
    assert {e["kind"] for e in events} == {"new"}, stderr
    assert sorted(e["url"] for e in events) == sorted(story["expected"].values())
    assert code == 1  # the webhook refused the batch: pending, and the run says so


def test_first_run_webhook_failure_is_reported_on_stderr(story):
    _, _, stderr = story["runs"]["first"]
    assert "kept pending" in stderr


def test_quiet_hour_with_changing_view_counters_reports_nothing(story):
    code, events, stderr = story["runs"]["quiet"]
    assert events == [], events
    assert code == 0, stderr


def test_edits_additions_and_removals_are_reported_exactly(story):
    code, events, stderr = story["runs"]["changes"]
    assert kinds(events) == sorted([
        ("new", story["added"]),
        ("changed", story["edited"]),
        ("removed", story["removed"]),
    ]), stderr
    assert code == 3


def test_changed_event_carries_a_title_diff(story):
    _, events, _ = story["runs"]["changes"]
    changed = next(e for e in events if e["kind"] == "changed")
    assert changed["diff"]["title"]["new"].endswith("(cập nhật)")
    assert changed["version"] == 2


def test_run_after_the_changes_reports_nothing_again(story):
    code, events, _ = story["runs"]["after"]
    assert events == [] and code == 0


def test_webhook_receives_every_event_exactly_once_across_runs(story):
    hook = story["hook"]
    ids = hook.event_ids()
    assert len(ids) == len(set(ids))
    delivered = sorted((e["kind"], e["url"]) for b in hook.accepted for e in b["events"])
    printed = sorted((e["kind"], e["url"]) for run in story["runs"].values() for e in run[1])
    assert delivered == printed
    assert hook.attempts == len(hook.accepted) + 1  # one refused attempt, then acknowledged


def test_atom_feed_of_the_events_parses(story):
    parsed = feedparser.parse(story["feed"].read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    links = {entry.link for entry in parsed.entries}
    assert {story["added"], story["edited"], story["removed"]} <= links


def test_unreachable_source_raises_source_unhealthy_and_exits_4(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sources = write_sources(tmp_path / "sources.yaml", f"http://127.0.0.1:{port}", "closed")
    db = f"sqlite:///{tmp_path / 'bantin.db'}"
    code, events, stderr = monitor(tmp_path, sources, db, "-s", "RETRY_TIMES=0")
    unhealthy = [e for e in events if e["kind"] == "source_unhealthy"]
    assert len(unhealthy) == 1, (events, stderr)
    assert unhealthy[0]["source_id"] == "closed"
    assert "all_pages_failed" in unhealthy[0]["problems"]
    assert code == 4


def test_unknown_source_id_is_a_usage_error(tmp_path):
    sources = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:9")
    code, events, stderr = monitor(tmp_path, sources, f"sqlite:///{tmp_path / 'b.db'}",
                                   "nosuch")
    assert code == 2 and events == []
    assert "unknown source id" in stderr
