"""Distributed crawl end to end: `bantin enqueue` and `bantin worker` processes, the sample
portal on loopback, the real Redis and a fresh PostgreSQL store.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa

from scraper import redis_frontier as rf
from scraper.sample_portal import RunningPortal, SamplePortal, serve

BANTIN = str(Path(sys.executable).parent / "bantin")
# Fast housekeeping for tests: ticks of 0.25 s, leases of 3 s; workers started before the
# seeding wait 8 idle seconds for it (`bantin enqueue` itself takes seconds to start here).
WORKER_TUNING = ["--idle-timeout", "8", "--lease-timeout", "3", "-s", "BANTIN_REDIS_TICK=0.25",
                 "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


@pytest.fixture
def portal() -> Iterator[RunningPortal]:
    running = serve(SamplePortal(n_articles=60, seed=7))
    yield running
    running.stop()


@pytest.fixture
def job(redis_url: str) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    rf.delete_job(client, rf.FrontierKeys("bantin", name))
    client.close()


class Cluster:
    """The test's view of one crawl job: its workers, Redis and the store."""

    def __init__(self, tmp: Path, portal: RunningPortal, redis_url: str, pg_url: str,
                 job: str) -> None:
        self.tmp = tmp
        self.sources = str(portal.write_sources(tmp / "sources.yaml"))
        self.redis_url = redis_url
        self.pg_url = pg_url
        self.job = job
        self.warc_dir = tmp / "warc"
        self.server = redis.Redis.from_url(redis_url)
        self.keys = rf.FrontierKeys("bantin", job)
        self.workers: dict[str, subprocess.Popen[str]] = {}

    def common(self) -> list[str]:
        return ["--sources", self.sources, "--redis", self.redis_url, "--job", self.job]

    def enqueue(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BANTIN, "enqueue", *self.common(), *extra], capture_output=True,
                              text=True, timeout=60)

    def start_worker(self, name: str, *extra: str) -> subprocess.Popen[str]:
        # Each worker in its own process group: killing a worker kills its parse processes
        # too, as a machine failing or systemd's KillMode=control-group would.
        with (self.tmp / f"{name}.log").open("w") as log, \
                (self.tmp / f"{name}.out").open("w") as out:
            proc = subprocess.Popen(
                [BANTIN, "worker", *self.common(), "--db", self.pg_url, "--warc-dir",
                 str(self.warc_dir), "--name", name, *WORKER_TUNING, *extra],
                stdout=out, stderr=log, text=True, start_new_session=True,
            )
        self.workers[name] = proc
        return proc

    def progress(self) -> dict[str, dict[str, Any]]:
        return rf.job_status(self.server, self.keys).workers

    def reported(self, name: str, key: str) -> int:
        """A worker's latest progress figure (0 until it reports: a new crawl clears them)."""
        return int(self.progress().get(name, {}).get(key, 0))

    def wait_for(self, condition: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; logs: {self.logs()}")

    def kill(self, name: str) -> None:
        proc = self.workers[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def wait_all(self, timeout: float = 120) -> dict[str, tuple[int, str]]:
        out = {}
        for name, proc in self.workers.items():
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"worker {name} did not stop; logs: {self.logs()}") from None
            out[name] = (proc.returncode, (self.tmp / f"{name}.out").read_text())
        return out

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted(self.tmp.glob("*.log")))

    def query(self, sql: str) -> list[Any]:
        engine = sa.create_engine(self.pg_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(sql)))
        finally:
            engine.dispose()

    def stop(self) -> None:
        for proc in self.workers.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the worker and its parse processes
            proc.wait()
        self.server.close()


@pytest.fixture
def cluster(tmp_path: Path, portal: RunningPortal, redis_url: str, pg_url: str,
            job: str) -> Iterator[Cluster]:
    c = Cluster(tmp_path, portal, redis_url, pg_url, job)
    yield c
    c.stop()


def _assert_every_article_once(cluster: Cluster, portal: RunningPortal) -> None:
    expected = {a.url for a in portal.expected_articles()}
    rows = cluster.query("SELECT url FROM articles")
    stored = [r[0] for r in rows]
    assert sorted(set(stored)) == sorted(expected), cluster.logs()
    assert len(stored) == len(set(stored))
    assert not portal.requests_for("/admin/"), "robots.txt disallows /admin/"
    twice = cluster.query("SELECT article_id FROM article_versions GROUP BY article_id "
                          "HAVING count(*) > 1")
    assert twice == []


def test_workers_started_before_and_after_enqueue_share_the_crawl(
        cluster: Cluster, portal: RunningPortal) -> None:
    # A politeness delay long enough for a worker started after the seeding to join in.
    slow = ["-s", "DOWNLOAD_DELAY=0.4"]
    cluster.start_worker("early", *slow)
    cluster.wait_for(lambda: "early" in cluster.progress(), 60, "the first worker to join")
    seeded = cluster.enqueue()
    assert seeded.returncode == 0, seeded.stderr
    assert "new crawl; queued 2 start request(s) for 1 source(s)" in seeded.stdout
    cluster.wait_for(lambda: cluster.reported("early", "responses") > 0, 60,
                     "the crawl to start")
    cluster.start_worker("late", *slow)
    results = cluster.wait_all()

    assert {name: rc for name, (rc, _) in results.items()} == {"early": 0, "late": 0}
    _assert_every_article_once(cluster, portal)
    progress = cluster.progress()
    responses = {name: p["responses"] for name, p in progress.items()}
    assert all(n > 0 for n in responses.values()), responses
    status = rf.job_status(cluster.server, cluster.keys)
    assert (status.queued, status.inflight) == (0, 0)


def test_each_worker_writes_its_own_warc_files_and_the_store_points_into_them(
        cluster: Cluster, portal: RunningPortal) -> None:
    cluster.start_worker("alpha", "-s", "DOWNLOAD_DELAY=0.05")
    cluster.start_worker("beta", "-s", "DOWNLOAD_DELAY=0.05")
    cluster.wait_for(lambda: len(cluster.progress()) == 2, 60, "two workers to join")
    assert cluster.enqueue().returncode == 0
    cluster.wait_all()

    files = {p.name for p in cluster.warc_dir.glob("*.warc.gz")}
    assert any(f.startswith("bantin-alpha-") for f in files), files
    assert any(f.startswith("bantin-beta-") for f in files), files
    pointers = cluster.query("SELECT DISTINCT warc_file FROM article_versions")
    named = {Path(r[0]).name for r in pointers}
    assert named and named <= files
    runs = cluster.query("SELECT options FROM crawl_runs")
    workers = {(json.loads(r[0]) if isinstance(r[0], str) else r[0])["worker"] for r in runs}
    assert workers == {"alpha", "beta"}


def test_killed_worker_loses_nothing_its_requests_are_crawled_by_another(
        cluster: Cluster, portal: RunningPortal) -> None:
    # A slow politeness delay keeps many requests leased in each worker's downloader.
    cluster.start_worker("victim", "-s", "DOWNLOAD_DELAY=0.15")
    cluster.start_worker("survivor", "-s", "DOWNLOAD_DELAY=0.15")
    cluster.wait_for(lambda: len(cluster.progress()) == 2, 60, "two workers to join")
    assert cluster.enqueue().returncode == 0
    cluster.wait_for(lambda: cluster.reported("victim", "responses") >= 8
                     and cluster.reported("victim", "held") > 0, 60,
                     "the victim to be mid-crawl")
    cluster.kill("victim")
    results = cluster.wait_all()

    assert results["survivor"][0] == 0
    assert results["victim"][0] == -signal.SIGKILL
    _assert_every_article_once(cluster, portal)
    assert cluster.progress()["survivor"]["requeued"] > 0
    status = rf.job_status(cluster.server, cluster.keys)
    assert (status.queued, status.inflight) == (0, 0)


def test_a_pickle_payload_in_the_queue_is_refused_and_kept_aside(
        cluster: Cluster, portal: RunningPortal) -> None:
    import pickle

    assert cluster.enqueue().returncode == 0
    cluster.server.zadd(cluster.keys.queue, {pickle.dumps({"url": "http://evil/"}): -100})
    cluster.start_worker("alpha", "-s", "DOWNLOAD_DELAY=0")
    (rc, stdout), = cluster.wait_all().values()

    assert rc == 0
    assert "refused         1 queue entries" in stdout
    assert cluster.server.llen(cluster.keys.bad) == 1
    _assert_every_article_once(cluster, portal)


def test_enqueue_into_a_running_job_does_not_queue_seen_urls_again(cluster: Cluster) -> None:
    first = cluster.enqueue()
    second = cluster.enqueue()
    assert "new crawl" in first.stdout
    assert "joined the running crawl; queued 0 start request(s)" in second.stdout
    assert "2 already seen" in second.stdout
    assert cluster.server.zcard(cluster.keys.queue) == 2


def test_enqueue_of_an_unknown_source_is_a_usage_error(cluster: Cluster) -> None:
    result = cluster.enqueue("nowhere")
    assert result.returncode == 2
    assert "unknown source id(s): nowhere; known: sample" in result.stderr


def test_worker_without_redis_fails_with_a_clear_error(tmp_path: Path,
                                                       portal: RunningPortal) -> None:
    sources = portal.write_sources(tmp_path / "sources.yaml")
    result = subprocess.run(
        [BANTIN, "worker", "--sources", str(sources), "--redis", "redis://127.0.0.1:1/0",
         "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "BANTIN_DB": ""},
    )
    assert result.returncode == 1
    assert "Redis at redis://127.0.0.1:1/0 is not usable" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hosts_delay_holds_across_workers(tmp_path: Path, redis_url: str, pg_url: str,
                                            job: str) -> None:
    times: list[float] = []
    running = serve(SamplePortal(n_articles=30, seed=3),
                    on_request=lambda method, path, status: times.append(time.monotonic()))
    cluster = Cluster(tmp_path, running, redis_url, pg_url, job)
    try:
        # Each worker alone would send one request per 0.25 s: two, twice that.
        delay = ["-s", "DOWNLOAD_DELAY=0.25", "-s", "DOWNLOAD_DELAY_JITTER=0",
                 "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]
        cluster.start_worker("alpha", *delay)
        cluster.start_worker("beta", *delay)
        cluster.wait_for(lambda: len(cluster.progress()) == 2, 60, "two workers to join")
        assert cluster.enqueue().returncode == 0
        cluster.wait_all()
        progress = cluster.progress()
    finally:
        cluster.stop()
        running.stop()

    assert all(p["responses"] > 0 for p in progress.values()), progress
    # Together they keep to one request per 0.25 s: any 2-second window holds at most 8
    # (+1 for the window's edges, +1 for arrival jitter).
    busiest = max(sum(1 for t in times if start <= t < start + 2.0) for start in times)
    assert busiest <= 10, f"{busiest} requests within 2 s ({len(times)} in all)"


def test_crawl_distributed_seeds_and_works_the_job_in_one_process(
        cluster: Cluster, portal: RunningPortal) -> None:
    """`bantin crawl --distributed ID`: enqueue, then a worker in the same process."""
    result = subprocess.run(
        [BANTIN, "crawl", "sample", "--distributed", "--sources", str(cluster.sources),
         "--redis", cluster.redis_url, "--job", cluster.job, "--db", cluster.pg_url,
         "--warc-dir", str(cluster.warc_dir), "--quiet",
         "-s", "BANTIN_REDIS_IDLE_TIMEOUT=2", "-s", "BANTIN_REDIS_TICK=0.25"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "articles        60 new" in result.stdout
    _assert_every_article_once(cluster, portal)


def test_crawl_distributed_refuses_full_and_resume(cluster: Cluster) -> None:
    result = subprocess.run(
        [BANTIN, "crawl", "--distributed", "--full", "--sources", str(cluster.sources),
         "--redis", cluster.redis_url], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--full and --resume do not apply to --distributed" in result.stderr
