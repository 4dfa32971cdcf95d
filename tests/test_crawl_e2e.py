"""`bantin crawl` end to end: the real CLI (a subprocess) crawls the sample portal served on
loopback into a real SQLite file (and once into PostgreSQL); the portal's access log proves
what was and was not requested."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from scraper.sample_portal import SamplePortal, serve
from scraper.sample_portal.render import BROKEN_PATH, DISALLOWED_ARTICLE, SOFT404_PATHS
from tests.crawl_helpers import (
    article_path,
    crawl_command,
    env,
    last_run,
    last_seen,
    run_crawl,
    served_portal,
    stored_articles,
    version_count,
    write_sources,
)

pytestmark = pytest.mark.slow

N_ARTICLES = 40


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A 40-article portal, crawled once (first) and then again unchanged plus one new
    article (recrawl). Tests below read what each run did."""
    tmp = tmp_path_factory.mktemp("crawl")
    portal = SamplePortal(n_articles=N_ARTICLES, seed=1)
    running = serve(portal)
    try:
        sources = write_sources(tmp / "sources.yaml", running.url)
        db = f"sqlite:///{tmp / 'bantin.db'}"
        expected = running.expected_articles()
        first = run_crawl(running, tmp, sources, db, "--stats", str(tmp / "first-stats.json"))
        first_stats = json.loads((tmp / "first-stats.json").read_text(encoding="utf-8"))
        first_stored = stored_articles(db)
        first_versions = version_count(db)
        first_run = last_run(db)
        added = portal.add_article("thong-bao", title="Thông báo lịch tiếp công dân tháng 12")
        recrawl = run_crawl(running, tmp, sources, db)
        yield {
            "running": running, "portal": portal, "db": db, "tmp": tmp, "sources": sources,
            "expected": expected, "first": first, "first_stored": first_stored,
            "first_versions": first_versions, "first_stats": first_stats["sample"]["stats"],
            "first_run": first_run, "added": added, "recrawl": recrawl,
        }
    finally:
        running.stop()


def _paths(requests, method=None, status=None):
    return [p for m, p, s in requests
            if (method is None or m == method) and (status is None or s == status)]


# ------------------------------------------------------------------ the first crawl


def test_first_crawl_exits_0_and_prints_a_summary(site):
    first = site["first"]
    assert first.returncode == 0, first.stderr
    assert re.search(r"articles\s+40 new, 0 changed, 0 unchanged", first.stdout), first.stdout
    assert "pages fetched" in first.stdout
    assert re.search(r"\[sample\] \S+  pages \d+", first.stderr)  # progress on stderr


def test_every_article_is_stored_exactly_once(site):
    stored = [url for url, _ in site["first_stored"]]
    assert sorted(stored) == sorted(e.url for e in site["expected"])
    assert site["first_versions"] == N_ARTICLES


def test_robots_disallowed_path_is_never_requested(site):
    requested = _paths(site["first"].requests) + _paths(site["recrawl"].requests)
    assert not [p for p in requested if p.startswith(("/admin/", "/c/"))]
    assert DISALLOWED_ARTICLE.startswith("/admin/")
    assert "/robots.txt" in requested


def test_postback_pages_are_walked(site):
    posts = _paths(site["first"].requests, "POST", 200)
    assert "/tin-tuc-su-kien" in posts  # 16 posts: page 2 is reachable only by postback
    # articles listed only on postback pages (older posts of the vnPortal sections) are stored
    stored = {url for url, _ in site["first_stored"]}
    vn = [e.url for e in site["expected"] if e.style == "vnportal"]
    assert set(vn) <= stored


def test_article_failing_with_500_is_retried_then_stored(site):
    portal = site["portal"]
    flaky = portal.article(portal.flaky_article_id)
    answers = [s for m, p, s in site["first"].requests if p == flaky.path]
    assert answers == [500, 500, 200]
    assert site["running"].url + flaky.path in {u for u, _ in stored_articles(site["db"])}


def test_redirected_old_url_is_followed_once_and_its_article_stored_once(site):
    old = [(p, s) for m, p, s in site["first"].requests if p.startswith("/Default.aspx")
           and "ItemID" in p]
    assert [s for _, s in old] == [301]
    pholu = [u for u, _ in stored_articles(site["db"]) if u.endswith("-1105750")]
    assert len(pholu) == 1


def test_tracking_parameter_duplicates_are_fetched_once(site):
    requested = _paths(site["first"].requests, "GET")
    assert not [p for p in requested if "utm_" in p or "jsessionid" in p.lower()]
    for e in site["expected"]:
        assert _paths(site["first"].requests, "GET", 200).count(article_path(e.url)) <= 1, e.url


def test_soft_404_and_broken_link_are_recorded_not_stored(site):
    requested = _paths(site["first"].requests)
    assert BROKEN_PATH in requested and SOFT404_PATHS[1] in requested
    stored = {article_path(u) for u, _ in stored_articles(site["db"])}
    assert BROKEN_PATH not in stored and SOFT404_PATHS[1] not in stored
    assert site["first_run"]["counts"]["not_found"] >= 2
    assert re.search(r"not found\s+[1-9]", site["first"].stdout)


def test_crawl_stats_say_where_the_cpu_went(site):
    stats = site["first_stats"]
    reactor = stats["bantin_cpu/reactor_seconds"]
    process = stats["bantin_cpu/process_seconds"]
    store = stats["bantin_store/cpu_seconds"]
    assert 0 < reactor < process  # the reactor thread is part of the process
    assert 0 < store < process  # so is the store thread
    assert stats["bantin_cpu/parse_seconds"] > 0  # the parse pool's workers, apart
    assert stats["bantin_cpu/parse_most_waiting"] >= 1  # every page waits in the queue once
    assert stats["bantin_store/batches"] <= stats["bantin/new"]


def test_crawl_runs_with_the_start_up_heap_frozen(site):
    stats = site["first_stats"]
    assert stats["bantin_gc/frozen_objects"] > 10_000  # modules, classes, SQLAlchemy metadata
    assert stats["bantin_gc/collections/gen2"] <= 2  # full collections are rare


def test_crawl_run_is_recorded_with_counts(site):
    run = site["first_run"]
    assert run["status"] == "finished"
    assert run["counts"]["new"] == N_ARTICLES
    assert run["source_ids"] == ["sample"]


# ------------------------------------------------------------------ the re-crawl


def test_recrawl_fetches_no_unchanged_article(site):
    """Decision: a re-crawl does not request unchanged articles at all (not even a
    conditional GET); only listing pages, robots/sitemaps/feeds and non-article links."""
    recrawl = site["recrawl"]
    assert recrawl.returncode == 0, recrawl.stderr
    old_articles = {article_path(e.url) for e in site["expected"]}
    fetched = [p for m, p, s in recrawl.requests if p.split("?")[0] in old_articles]
    assert fetched == []


def test_recrawl_stops_listing_walk_after_a_page_of_known_articles(site):
    recrawl = site["recrawl"].requests
    assert _paths(site["first"].requests, "POST")
    assert _paths(recrawl, "POST") == []
    assert not [p for p in _paths(recrawl) if "_101_cur=2" in p]


def test_recrawl_stores_the_article_added_since(site):
    added = site["added"]
    stored = {u for u, _ in stored_articles(site["db"])}
    assert site["running"].url + added.path in stored
    assert re.search(r"articles\s+1 new, 0 changed", site["recrawl"].stdout), \
        site["recrawl"].stdout
    assert version_count(site["db"]) == N_ARTICLES + 1


# ------------------------------------------------------------------ full walk, removal


def test_full_walk_marks_an_unlisted_article_removed(tmp_path):
    portal = SamplePortal(n_articles=25, seed=3, flaky_failures=0)
    with served_portal(tmp_path, portal) as (running, sources, db):
        assert run_crawl(running, tmp_path, sources, db).returncode == 0
        victim = portal.expected_articles()[-1]  # oldest: listed only deep in the listings
        portal.remove_article(victim.id)
        full = run_crawl(running, tmp_path, sources, db, "--full")
    assert full.returncode == 0, full.stderr
    status = dict(stored_articles(db))
    assert status[running.url + article_path(victim.url)] == "removed"
    assert sum(1 for s in status.values() if s == "present") == 24


# ------------------------------------------------------------------ stop and resume


def _start_slow_crawl(tmp: Path, sources: Path, db: str, *extra: str) -> subprocess.Popen:
    cmd = crawl_command(tmp, sources, db, "-s", "DOWNLOAD_DELAY=0.04",
                        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", *extra)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp, env=env())


def _wait_for_stored(db: str, n: int, proc, timeout=90) -> None:
    """Until the crawl has stored `n` articles (it is then surely mid-way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(stored_articles(db)) >= n:
                return
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            pass
        if proc.poll() is not None:
            pytest.fail(f"crawl ended before it could be stopped: {proc.communicate()}")
        time.sleep(0.05)
    pytest.fail("crawl too slow to reach the stopping point")


def _stop_midway(tmp: Path, sources: Path, db: str, sig: int, *extra: str
                 ) -> tuple[subprocess.Popen, str, str]:
    """A slow crawl sent `sig` once it has stored 8 articles; (process, stdout, stderr)."""
    proc = _start_slow_crawl(tmp, sources, db, *extra)
    _wait_for_stored(db, 8, proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return proc, out, err


@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_stopped_crawl_resumes_with_nothing_lost_and_nothing_stored_twice(tmp_path, how):
    portal = SamplePortal(n_articles=40, seed=2, flaky_failures=0)
    with served_portal(tmp_path, portal) as (running, sources, db):
        expected = running.expected_articles()
        paths = {article_path(e.url) for e in expected}
        proc, out, err = _stop_midway(tmp_path, sources, db,
                                      signal.SIGINT if how == "sigint" else signal.SIGKILL)
        if how == "sigint":
            assert proc.returncode == 130, err
            assert "interrupted" in out
        else:
            assert proc.returncode == -signal.SIGKILL
        part1 = len(stored_articles(db))
        assert 0 < part1 < len(expected)
        resumed = run_crawl(running, tmp_path, sources, db, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    stored = [u for u, _ in stored_articles(db)]
    assert sorted(stored) == sorted(e.url for e in expected)
    assert version_count(db) == len(expected)
    # the resumed run does not fetch again what the first part stored
    refetched = [p for m, p, s in resumed.requests if s == 200 and p in paths]
    assert len(refetched) <= len(expected) - part1 + 1  # +1: a page in flight at the kill


def test_a_paused_crawl_leaves_its_queue_in_jobdir_and_the_resume_serves_it(tmp_path):
    """Requests live in memory during the crawl (spiders/scheduler.py); Ctrl-C writes the
    queue into JOBDIR, and `--resume` fetches from it instead of walking listings again."""
    portal = SamplePortal(n_articles=40, seed=2, flaky_failures=0)
    with served_portal(tmp_path, portal) as (running, sources, db):
        paused_stats = tmp_path / "paused-stats.json"
        proc, _, err = _stop_midway(tmp_path, sources, db, signal.SIGINT,
                                    "--stats", str(paused_stats))
        assert proc.returncode == 130, err
        paused = json.loads(paused_stats.read_text(encoding="utf-8"))["sample"]["stats"]
        assert paused["bantin/scheduler_paused_to_disk"] > 0
        state = json.loads((tmp_path / "jobs" / "sample" / "requests.queue" / "active.json")
                           .read_text(encoding="utf-8"))
        assert state, "the paused crawl wrote no queue"
        stats_file = tmp_path / "resumed-stats.json"
        resumed = run_crawl(running, tmp_path, sources, db, "--resume",
                            "--stats", str(stats_file))
    assert resumed.returncode == 0, resumed.stderr
    stats = json.loads(stats_file.read_text(encoding="utf-8"))["sample"]["stats"]
    assert stats.get("scheduler/dequeued/disk", 0) > 0
    assert len(stored_articles(db)) == len(running.expected_articles())


def _parse_workers(pid: int) -> list[int]:
    """Pids of the parse worker processes the crawl `pid` spawned."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in cmdline:
            out.append(int(entry.name))
    return out


def _crawl_losing_parse_workers(tmp: Path, portal: SamplePortal, sig: int, *extra: str,
                                every: bool = False
                                ) -> tuple[subprocess.CompletedProcess, list, set[str], set]:
    """A slow crawl whose first parse worker (`every` one) is sent `sig` mid-way; (the
    finished crawl, its parse errors, the article paths expected, the article paths
    stored)."""
    with served_portal(tmp, portal) as (running, sources, db):
        expected = {article_path(e.url) for e in running.expected_articles()}
        proc = _start_slow_crawl(tmp, sources, db, *extra)
        _wait_for_stored(db, 8, proc)
        workers = _parse_workers(proc.pid)
        assert workers, "the crawl runs no parse worker process"
        for pid in workers if every else workers[:1]:
            os.kill(pid, sig)
        out, err = proc.communicate(timeout=120)
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    lost = [e for e in last_run(db)["errors"] if e.get("kind") == "parse"]
    return done, lost, expected, {article_path(u) for u, _ in stored_articles(db)}


def test_a_killed_parse_worker_costs_only_the_page_it_was_parsing(tmp_path):
    portal = SamplePortal(n_articles=40, seed=2, flaky_failures=0)
    crawl, lost, expected, stored = _crawl_losing_parse_workers(tmp_path, portal,
                                                                signal.SIGKILL)
    assert crawl.returncode == 0, crawl.stderr
    assert all("parse process died" in e["message"] for e in lost), lost
    assert len(lost) <= 1  # the page being parsed; the one sent next went to the new worker
    # every other article was parsed by the replacement worker and stored
    assert stored == expected - {article_path(e["url"]) for e in lost}


def test_stalled_parse_workers_are_stopped_after_the_timeout_each_costing_one_page(tmp_path):
    portal = SamplePortal(n_articles=40, seed=2, flaky_failures=0)
    crawl, lost, expected, stored = _crawl_losing_parse_workers(
        tmp_path, portal, signal.SIGSTOP, "-s", "BANTIN_CRAWL_PARSE_WORKERS=2",
        "-s", "BANTIN_CRAWL_PARSE_TIMEOUT=2", every=True)
    assert crawl.returncode == 0, crawl.stderr
    # each stalled worker held a page: the crawl reports it by URL and goes on
    assert 1 <= len(lost) <= 2, lost
    for error in lost:
        assert error["message"].startswith("ParseTimeout: parsing took longer than 2 s")
        assert error["url"] in crawl.stdout
    assert stored == expected - {article_path(e["url"]) for e in lost}
    assert re.search(rf"parse \({len(lost)}\):", crawl.stdout), crawl.stdout


# ------------------------------------------------------------------ exit codes


def test_unreachable_start_url_exits_1(tmp_path):
    sources = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:9")
    proc = subprocess.run(crawl_command(tmp_path, sources, f"sqlite:///{tmp_path / 'b.db'}",
                                        "-s", "RETRY_TIMES=0"),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env())
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "failed" in proc.stdout and "127.0.0.1:9" in proc.stdout


def test_bad_sources_file_exits_2_naming_the_file(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: Not A Slug\n    nme: x\n", encoding="utf-8")
    proc = subprocess.run(crawl_command(tmp_path, bad, f"sqlite:///{tmp_path / 'b.db'}"),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env())
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr


def test_unknown_source_id_exits_2(tmp_path):
    sources = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:9")
    proc = subprocess.run(crawl_command(tmp_path, sources, f"sqlite:///{tmp_path / 'b.db'}")
                          + ["nosuch"], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env=env())
    assert proc.returncode == 2
    assert "nosuch" in proc.stderr and "sample" in proc.stderr


def test_unwritable_store_exits_1(tmp_path):
    sources = write_sources(tmp_path / "sources.yaml", "http://127.0.0.1:9")
    (tmp_path / "file").write_text("not a directory")
    proc = subprocess.run(crawl_command(tmp_path, sources,
                                        f"sqlite:///{tmp_path / 'file' / 'b.db'}"),
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env())
    assert proc.returncode == 1
    assert "error:" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ PostgreSQL


@pytest.mark.postgres
def test_crawl_into_postgresql_stores_every_article_once(tmp_path, pg_url):
    portal = SamplePortal(n_articles=20, seed=4)
    with serve(portal) as running:
        sources = write_sources(tmp_path / "sources.yaml", running.url)
        crawl = run_crawl(running, tmp_path, sources, pg_url)
        expected = running.expected_articles()
    assert crawl.returncode == 0, crawl.stderr
    assert sorted(u for u, _ in stored_articles(pg_url)) == sorted(e.url for e in expected)
    assert version_count(pg_url) == len(expected)


# ------------------------------------------------------------------ change detection


def test_article_whose_listing_shows_a_newer_date_is_fetched_again_and_versioned(tmp_path):
    from datetime import datetime, timedelta

    portal = SamplePortal(n_articles=20, seed=5, flaky_failures=0)
    with served_portal(tmp_path, portal) as (running, sources, db):
        assert run_crawl(running, tmp_path, sources, db).returncode == 0
        newest = portal.article(portal.section_ids("tin-tuc-su-kien")[0])
        edited = portal.edit_article(newest.id, title=newest.title + " (cập nhật)",
                                     published=datetime.now() + timedelta(days=1))
        again = run_crawl(running, tmp_path, sources, db)
    assert again.returncode == 0, again.stderr
    assert [s for m, p, s in again.requests if p == edited.path] == [200]
    assert re.search(r"articles\s+0 new, 1 changed, 0 unchanged", again.stdout), again.stdout
    assert version_count(db) == 21


def test_refresh_refetches_with_conditional_get_and_unchanged_pages_answer_304(tmp_path):
    portal = SamplePortal(n_articles=20, seed=6, flaky_failures=0)
    with served_portal(tmp_path, portal) as (running, sources, db):
        assert run_crawl(running, tmp_path, sources, db).returncode == 0
        seen_first = last_seen(db)
        refresh = run_crawl(running, tmp_path, sources, db, "--refresh")
        paths = {article_path(e.url) for e in running.expected_articles()}
    assert refresh.returncode == 0, refresh.stderr
    answers = [s for m, p, s in refresh.requests if p in paths]
    assert answers and set(answers) == {304}
    assert version_count(db) == 20
    seen_again = last_seen(db)  # a 304 confirms the article is still there
    assert all(seen_again[url] > seen_first[url] for url in seen_first)


def test_pages_that_keep_failing_are_listed_by_kind_with_their_urls_and_exit_0(tmp_path):
    portal = SamplePortal(n_articles=20, seed=7, flaky_failures=0)
    broken = portal.article(portal.section_ids("chi-dao-dieu-hanh")[0])
    portal.fail_next(broken.id, 50)
    with served_portal(tmp_path, portal) as (running, sources, db):
        crawl = run_crawl(running, tmp_path, sources, db, "-s", "RETRY_TIMES=1")
    assert crawl.returncode == 0, crawl.stderr
    assert re.search(r"http \(1\):\n\s+" + re.escape(running.url + broken.path) +
                     r"\s+HTTP 500", crawl.stdout), crawl.stdout
    errors = last_run(db)["errors"]
    assert [(e["kind"], e["url"], e["status"]) for e in errors] == [
        ("http", running.url + broken.path, 500)]
