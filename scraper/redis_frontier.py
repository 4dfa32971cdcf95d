"""The shared crawl frontier of the distributed mode: scrapy-redis plus what it lacks.

Any number of `bantin worker` processes, on any number of machines, share one request queue and
one dupefilter in Redis. scrapy-redis 0.9.1 provides the scheduler, the priority queue and the
dupefilter; this module keeps them and closes their gaps:

- **No pickle.** Requests travel as JSON of `Request.to_dict(spider=...)` (callbacks by name,
  bytes and non-string dict keys tagged) and come back through
  `scrapy.utils.request.request_from_dict`. A payload that is not our JSON (pickle, garbage) is
  refused and parked in the job's `bad` list, never executed. This module is itself the
  scrapy-redis `SCHEDULER_SERIALIZER` (module-level `dumps`/`loads`).
- **One dupefilter per crawl job, with expiry.** Fingerprints live in `bantin:{JOB}:seen`, a
  set whose TTL (BANTIN_REDIS_DUPEFILTER_TTL) is refreshed on every write and every tick while
  a worker runs, so an abandoned job's set disappears instead of growing forever.
- **The project's fingerprint.** The dupefilter asks the crawler's request fingerprinter
  (REQUEST_FINGERPRINTER_CLASS: canonical URLs, postback pages by page number), so the
  single-process crawl, `bantin enqueue` and every worker agree on what "seen" means.
- **Nothing lost when a worker dies.** scrapy-redis pops destructively. Here a pop moves the
  request atomically (one Lua script) into the job's `inflight` hash under a lease with a
  deadline on Redis's clock. The worker acks the lease once Scrapy has completely handled
  the request (downloaded, callback run, items stored, follow-ups pushed), refreshes the leases
  it still holds on every tick, and any worker re-queues leases past their deadline — the
  requests of a killed worker are crawled by another worker, or by itself on restart.
- **Workers stop by themselves.** A worker closes when the queue and the in-flight hash have
  both been empty for BANTIN_REDIS_IDLE_TIMEOUT seconds (0: never), so a killed worker's
  leases are re-queued before the survivors give up.
- **Current Scrapy.** Nothing here uses `start_requests()`; seeds come from `bantin enqueue`
  and a worker's spider has an empty `async def start()` (`worker_spider`).

Keys of a job (prefix BANTIN_REDIS_PREFIX, default "bantin"; the braces keep a job's keys in one
Redis Cluster hash slot): `{JOB}:queue` (sorted set, the frontier), `:inflight` (hash lease ->
request), `:leases` (sorted set lease -> deadline), `:seen` (dupefilter set), `:workers` (hash
worker -> JSON progress), `:bad` (list of refused payloads).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import socket
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Settings (defaults; every one can be overridden in Scrapy settings or on the command line)
# ---------------------------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "BANTIN_REDIS_URL": "redis://127.0.0.1:6379/0",
    "BANTIN_REDIS_PREFIX": "bantin",
    "BANTIN_REDIS_JOB": "default",
    "BANTIN_REDIS_WORKER": "",  # empty: <hostname>-<pid>
    "BANTIN_REDIS_IDLE_TIMEOUT": 30.0,  # seconds of empty queue and no lease before closing
    "BANTIN_REDIS_LEASE_TIMEOUT": 120.0,  # a lease not refreshed for this long is re-queued
    "BANTIN_REDIS_DUPEFILTER_TTL": 86400.0,  # seen-set expiry once no worker touches it
    "BANTIN_REDIS_TICK": 1.0,  # housekeeping interval (acks, lease refresh, re-queue, idle)
    "BANTIN_REDIS_PREFETCH": 4,  # most requests a worker holds that wait for a download slot
    "BANTIN_REDIS_POLITENESS_ENABLED": True,  # a host's delay holds across all workers
}

JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
FORMAT_VERSION = 1
WAKE_INTERVAL = 0.1  # seconds between an idle worker's looks at the queue


class FrontierError(Exception):
    """The distributed frontier cannot work: bad job name, Redis unreachable, bad payload."""


class PayloadRefused(FrontierError):
    """A queue entry is not a bantin JSON request (pickle, garbage, an unknown request class)."""


def setting(settings: BaseSettings | Mapping[str, Any], name: str) -> Any:
    """A BANTIN_REDIS_* setting, falling back to this module's default."""
    value = settings.get(name)
    return DEFAULTS[name] if value is None or value == "" else value


def default_worker_name() -> str:
    """`<hostname>-<pid>`: unique per process, readable in Redis and in WARC file names."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname().split(".")[0]) or "host"
    return f"{host}-{os.getpid()}"


def check_job(job: str) -> str:
    if not JOB_NAME.match(job or ""):
        raise FrontierError(
            f"bad job name {job!r}: use 1-64 letters, digits, '.', '_' or '-'"
            " (e.g. 'laocai-hourly')"
        )
    return job


@dataclass(frozen=True)
class FrontierKeys:
    """The Redis keys of one crawl job."""

    prefix: str
    job: str

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{{{self.job}}}:{name}"

    @property
    def queue(self) -> str:
        return self._key("queue")

    @property
    def inflight(self) -> str:
        return self._key("inflight")

    @property
    def leases(self) -> str:
        return self._key("leases")

    @property
    def seen(self) -> str:
        return self._key("seen")

    @property
    def workers(self) -> str:
        return self._key("workers")

    @property
    def bad(self) -> str:
        return self._key("bad")

    @property
    def known_sources(self) -> str:
        return self._key("known-sources")

    def known(self, source_id: str) -> str:
        """The URLs the store held for a source when this crawl of the job first met it."""
        return self._key(f"known:{source_id}")

    def known_state(self, source_id: str) -> str:
        return self._key(f"known-state:{source_id}")

    def host(self, host: str) -> str:
        """When the host may next be sent a request (shared politeness)."""
        return self._key(f"host:{host}")

    def all(self) -> list[str]:
        return [self.queue, self.inflight, self.leases, self.seen, self.workers, self.bad,
                self.known_sources]

    @classmethod
    def from_settings(cls, settings: BaseSettings | Mapping[str, Any]) -> FrontierKeys:
        return cls(str(setting(settings, "BANTIN_REDIS_PREFIX")),
                   check_job(str(setting(settings, "BANTIN_REDIS_JOB"))))


def connect(url: str) -> redis.Redis:
    """A Redis client for `url`, checked with PING; FrontierError naming the URL otherwise."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                      retry_on_timeout=True)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FrontierError(f"Redis at {mask_url(url)} is not usable: {exc}") from exc
    return client


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


# ---------------------------------------------------------------------------------------------
# Serialisation: JSON, never pickle (this module is the scrapy-redis SCHEDULER_SERIALIZER)
# ---------------------------------------------------------------------------------------------

_BYTES = "$bytes"  # {"$bytes": "<latin-1 text>"}: exact round trip, readable for ASCII
_PAIRS = "$pairs"  # {"$pairs": [[key, value], ...]}: dicts with non-string or tag-like keys
_TAGS = (_BYTES, _PAIRS)
_ALLOWED_CLASS_PREFIXES = ("scrapy.", "spiders.", "scraper.")


def _encode(value: Any, path: str) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {_BYTES: bytes(value).decode("latin-1")}
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        plain = all(isinstance(k, str) for k in value) and not (
            len(value) == 1 and next(iter(value)) in _TAGS
        )
        if plain:
            return {k: _encode(v, f"{path}.{k}") for k, v in value.items()}
        return {_PAIRS: [[_encode(k, f"{path}<key>"), _encode(v, f"{path}[{k!r}]")]
                         for k, v in value.items()]}
    raise FrontierError(
        f"cannot serialise {type(value).__name__} at {path}: request meta and cb_kwargs must be"
        " JSON-like (str, numbers, bools, None, bytes, lists, dicts)"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            tag, inner = next(iter(value.items()))
            if tag == _BYTES:
                return inner.encode("latin-1")
            if tag == _PAIRS:
                return {_hashable(_decode(k)): _decode(v) for k, v in inner}
        return {k: _decode(v) for k, v in value.items()}
    return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def dumps(obj: Mapping[str, Any]) -> bytes:
    """A request dict (`Request.to_dict(spider=...)`) as bantin JSON bytes."""
    envelope = {"bantin": FORMAT_VERSION, "request": _encode(dict(obj), "request")}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict in `data`; PayloadRefused unless it is bantin JSON of a Request."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if raw[:1] == b"\x80" or raw[:1] in (b"(", b"c") and b"\n" in raw[:80]:
        raise PayloadRefused("refusing a pickle payload: bantin queues hold JSON requests only")
    if raw[:1] != b"{":
        raise PayloadRefused(f"refusing a payload that is not bantin JSON: {raw[:40]!r}")
    try:
        envelope = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadRefused(f"refusing a payload that is not valid JSON: {exc}") from exc
    if not isinstance(envelope, dict) or envelope.get("bantin") != FORMAT_VERSION:
        raise PayloadRefused(
            f"refusing a payload without the bantin envelope (version {FORMAT_VERSION})"
        )
    request = envelope.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise PayloadRefused("refusing a payload whose request has no URL")
    decoded = _decode(request)
    _check_request_class(decoded.get("_class"))
    return decoded


def _check_request_class(path: Any) -> None:
    """Only Request subclasses from Scrapy or this project may be instantiated from Redis."""
    if path is None:
        return
    if not isinstance(path, str) or not path.startswith(_ALLOWED_CLASS_PREFIXES):
        raise PayloadRefused(f"refusing request class {path!r}: not from scrapy or bantin")
    from scrapy.utils.misc import load_object

    try:
        cls = load_object(path)
    except (ImportError, NameError, ValueError) as exc:
        raise PayloadRefused(f"refusing unknown request class {path!r}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Request)):
        raise PayloadRefused(f"refusing {path!r}: not a scrapy Request class")


def request_to_bytes(request: Request, spider: Spider | None) -> bytes:
    """Serialise a request (callbacks by name on `spider`)."""
    return dumps(request.to_dict(spider=spider))


def request_from_bytes(data: bytes | str, spider: Spider | None) -> Request:
    """The inverse of `request_to_bytes`; PayloadRefused for anything else."""
    return request_from_dict(loads(data), spider=spider)


# ---------------------------------------------------------------------------------------------
# Lua: the frontier operations that must be atomic (time always from the Redis server's clock)
# ---------------------------------------------------------------------------------------------

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: queue, inflight, leases. ARGV: lease id, lease seconds.
# Pops the best request and leases it; returns the payload or nil.
_POP = _NOW + """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('HSET', KEYS[2], ARGV[1], item[2] .. '\\n' .. item[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[1])
return item[1]
"""

# KEYS: queue, inflight, leases. ARGV: max count, lease id... (optional).
# With lease ids: puts those leases' requests back now. Without: those past their deadline.
_REQUEUE = _NOW + """
local ids
if #ARGV > 1 then
  ids = {}
  for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
end
local moved = 0
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[2], id)
  if v then
    local nl = string.find(v, '\\n', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, nl - 1)), string.sub(v, nl + 1))
    redis.call('HDEL', KEYS[2], id)
    moved = moved + 1
  end
  redis.call('ZREM', KEYS[3], id)
end
return moved
"""

# KEYS: leases. ARGV: lease seconds, lease id... Extends only leases that still exist.
_REFRESH = _NOW + """
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return n
"""


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pops are leases (see the module docstring).

    `push` and `__len__` are scrapy-redis's (sorted set, score = -priority); `pop` returns a
    `(lease_id, payload)` pair and the caller decodes, acks, refreshes or releases.
    """

    def __init__(self, server: redis.Redis, spider: Spider, keys: FrontierKeys,
                 serializer: Any, *, lease_timeout: float, worker: str) -> None:
        super().__init__(server, spider, keys.queue, serializer=serializer)
        self.keys = keys
        self.lease_timeout = float(lease_timeout)
        self.worker = worker
        self._counter = 0
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._refresh = server.register_script(_REFRESH)

    def pop_lease(self) -> tuple[str, bytes] | None:
        """Move the best request into the in-flight hash under a new lease."""
        self._counter += 1
        lease = f"{self.worker}:{self._counter}"
        payload = self._pop(keys=[self.keys.queue, self.keys.inflight, self.keys.leases],
                            args=[lease, self.lease_timeout])
        if payload is None:
            return None
        return lease, payload

    def decode(self, payload: bytes) -> Request:
        return self._decode_request(payload)

    def encode(self, request: Request) -> bytes:
        return self._encode_request(request)

    def ack(self, leases: Iterable[str]) -> None:
        """The requests of these leases are done: forget them."""
        leases = list(leases)
        if leases:
            pipe = self.server.pipeline(transaction=True)
            pipe.hdel(self.keys.inflight, *leases)
            pipe.zrem(self.keys.leases, *leases)
            pipe.execute()

    def refresh(self, leases: Iterable[str]) -> int:
        """Push back the deadline of leases this worker still works on."""
        leases = list(leases)
        if not leases:
            return 0
        return int(self._refresh(keys=[self.keys.leases], args=[self.lease_timeout, *leases]))

    def release(self, leases: Iterable[str]) -> int:
        """Put these leases' requests back in the queue now (a worker shutting down early)."""
        leases = list(leases)
        if not leases:
            return 0
        return int(self._requeue(keys=[self.keys.queue, self.keys.inflight, self.keys.leases],
                                 args=[len(leases), *leases]))

    def requeue_expired(self, limit: int = 1000) -> int:
        """Put back the requests of leases past their deadline (dead or frozen workers)."""
        return int(self._requeue(keys=[self.keys.queue, self.keys.inflight, self.keys.leases],
                                 args=[limit]))

    def push_payload(self, payload: bytes, priority: int = 0) -> None:
        self.server.execute_command("ZADD", self.key, -priority, payload)


# ---------------------------------------------------------------------------------------------
# Dupefilter
# ---------------------------------------------------------------------------------------------


class RedisDupeFilter(RFPDupeFilter):
    """scrapy-redis's set-based dupefilter with the crawler's fingerprinter and an expiring key.

    The key is the crawl job's `seen` set; every write refreshes its TTL, so it outlives the
    crawl by BANTIN_REDIS_DUPEFILTER_TTL and then disappears. Closing a worker never deletes
    it: other workers still share it.
    """

    def __init__(self, server: redis.Redis, key: str, *, fingerprinter: Any, ttl: float,
                 debug: bool = False) -> None:
        super().__init__(server, key, debug=debug)
        self.fingerprinter = fingerprinter
        self.ttl_ms = max(1, int(float(ttl) * 1000))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisDupeFilter:
        settings = crawler.settings
        return cls(
            connect(str(setting(settings, "BANTIN_REDIS_URL"))),
            FrontierKeys.from_settings(settings).seen,
            fingerprinter=crawler.request_fingerprinter,
            ttl=float(setting(settings, "BANTIN_REDIS_DUPEFILTER_TTL")),
            debug=settings.getbool("DUPEFILTER_DEBUG"),
        )

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def request_seen(self, request: Request) -> bool:
        pipe = self.server.pipeline(transaction=False)
        pipe.sadd(self.key, self.request_fingerprint(request))
        pipe.pexpire(self.key, self.ttl_ms)
        added, _ = pipe.execute()
        return added == 0

    def touch(self) -> None:
        """Refresh the TTL while the job is in use (called on every scheduler tick)."""
        self.server.pexpire(self.key, self.ttl_ms)

    def close(self, reason: str = "") -> None:
        """Keep the shared set: it expires on its own."""


# ---------------------------------------------------------------------------------------------
# Scheduler
# ---------------------------------------------------------------------------------------------


def _engine_in_progress(crawler: Crawler) -> set[Request] | None:
    """The requests the engine has not finished with (download, callback, items, follow-ups).

    Scrapy keeps them in the engine slot's `inprogress` set until the scraper is done with the
    response, including the item pipelines; there is no public signal for that moment.
    """
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # not crawling (yet)
        return None
    slot = getattr(engine, "_slot", None)
    inprogress = getattr(slot, "inprogress", None)
    return inprogress if isinstance(inprogress, set) else None


class RedisFrontierScheduler(Scheduler):
    """scrapy-redis's scheduler on the job's leased queue and expiring dupefilter.

    Enable with SCHEDULER = "scraper.redis_frontier.RedisFrontierScheduler" (see
    `distributed_settings`). State in Redis always persists across workers; it is never
    flushed when a worker closes.
    """

    def __init__(self, server: redis.Redis, crawler: Crawler, keys: FrontierKeys,
                 dupefilter: RedisDupeFilter) -> None:
        super().__init__(server, persist=True, queue_key=keys.queue, dupefilter=dupefilter,
                         dupefilter_key=keys.seen, serializer=sys.modules[__name__])
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = keys
        self.worker = str(setting(settings, "BANTIN_REDIS_WORKER")) or default_worker_name()
        self.idle_timeout = float(setting(settings, "BANTIN_REDIS_IDLE_TIMEOUT"))
        self.lease_timeout = float(setting(settings, "BANTIN_REDIS_LEASE_TIMEOUT"))
        self.tick_interval = float(setting(settings, "BANTIN_REDIS_TICK"))
        self.prefetch = max(1, int(setting(settings, "BANTIN_REDIS_PREFETCH")))
        if self.lease_timeout < 3 * self.tick_interval:
            raise FrontierError("BANTIN_REDIS_LEASE_TIMEOUT must be at least 3 ticks "
                                f"(BANTIN_REDIS_TICK={self.tick_interval})")
        self.queue: LeasedPriorityQueue
        self._held: dict[str, Request] = {}
        self._downloading: set[int] = set()  # id() of held requests that reached the downloader
        self._tainted: set[str] = set()  # leases held when a push to Redis failed
        self._idle_since: float | None = None
        self._loop: task.LoopingCall | None = None
        self._waker: task.LoopingCall | None = None
        self._started = datetime.now(UTC).isoformat(timespec="seconds")
        self._state = "running"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontierScheduler:
        settings = crawler.settings
        keys = FrontierKeys.from_settings(settings)
        server = connect(str(setting(settings, "BANTIN_REDIS_URL")))
        dupefilter = RedisDupeFilter(
            server, keys.seen, fingerprinter=crawler.request_fingerprinter,
            ttl=float(setting(settings, "BANTIN_REDIS_DUPEFILTER_TTL")),
            debug=settings.getbool("DUPEFILTER_DEBUG"),
        )
        return cls(server, crawler, keys, dupefilter)

    # ------------------------------------------------------------------ lifecycle
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = LeasedPriorityQueue(self.server, spider, self.keys, self.serializer,
                                         lease_timeout=self.lease_timeout, worker=self.worker)
        self.crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        self.crawler.signals.connect(self._reached_downloader,
                                     signal=signals.request_reached_downloader)
        self.stats.set_value("bantin/redis/worker", self.worker)
        self.stats.set_value("bantin/redis/job", self.keys.job)
        waiting = len(self.queue)
        logger.info("worker %s joined crawl job %r at %s: %d requests queued, %d in flight",
                    self.worker, self.keys.job, self.keys.queue, waiting,
                    self.server.hlen(self.keys.inflight))
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.tick_interval, now=True).addErrback(
            lambda f: logger.error("frontier housekeeping stopped: %s", f.getErrorMessage())
        )
        self._waker = task.LoopingCall(self._wake_if_idle)
        self._waker.start(min(WAKE_INTERVAL, self.tick_interval), now=False).addErrback(
            lambda f: logger.error("frontier wake-up stopped: %s", f.getErrorMessage())
        )

    def close(self, reason: str) -> None:
        for loop in (self._loop, self._waker):
            if loop is not None and loop.running:
                loop.stop()
        inprogress = _engine_in_progress(self.crawler) or set()
        done = [lease for lease, req in self._held.items() if req not in inprogress]
        unfinished = [lease for lease in self._held if lease not in done]
        unfinished += [lease for lease in done if lease in self._tainted]
        done = [lease for lease in done if lease not in self._tainted]
        try:
            self.queue.ack(done)
            put_back = self.queue.release(unfinished)
            if put_back:
                logger.info("worker %s put %d unfinished requests back in the queue",
                            self.worker, put_back)
            self._state = f"closed:{reason}"
            self._report()
        except redis.RedisError as exc:
            logger.error("could not hand back leases on close (they expire in %.0f s): %s",
                         self.lease_timeout, exc)
        self._held.clear()
        self._downloading.clear()

    # ------------------------------------------------------------------ queue
    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            self.stats.inc_value("bantin/redis/filtered")
            return False
        try:
            self.queue.push(request)
        except (FrontierError, ValueError, TypeError) as exc:
            # An unserialisable request would be lost: say which, loudly.
            logger.error("cannot queue %s in Redis: %s", request, exc)
            self.stats.inc_value("bantin/redis/unserialisable")
            return False
        except redis.RedisError as exc:
            # Redis unreachable: the request that led here must be crawled again, so the
            # leases finished since the last tick are put back instead of acked.
            logger.error("cannot queue %s, Redis unavailable (its page will be crawled "
                         "again): %s", request, exc)
            self.stats.inc_value("bantin/redis/push_failed")
            self._tainted.update(self._held)  # the request that yielded it is among these
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self._waiting() >= self.prefetch:
            # Our download slots are busy: leave the rest of the queue to other workers
            # instead of hoarding requests behind a politeness delay.
            return None
        for _ in range(10):  # skip over refused payloads, a bounded number per call
            try:
                popped = self.queue.pop_lease()
            except redis.RedisError as exc:
                logger.warning("Redis unavailable, no request taken (will retry): %s", exc)
                return None
            if popped is None:
                return None
            lease, payload = popped
            try:
                request = self.queue.decode(payload)
            except (PayloadRefused, ValueError, TypeError, KeyError) as exc:
                self._park_bad(lease, payload, exc)
                continue
            self._held[lease] = request
            self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None

    def has_pending_requests(self) -> bool:
        try:
            return len(self.queue) > 0
        except redis.RedisError:
            return False  # idle until Redis is back; the idle timeout waits for it too

    def _reached_downloader(self, request: Request, spider: Spider) -> None:
        if any(held is request for held in self._held.values()):  # not robots.txt fetches
            self._downloading.add(id(request))

    def _waiting(self) -> int:
        """Held requests still in progress that have not reached the downloader yet."""
        inprogress = _engine_in_progress(self.crawler)
        return sum(1 for req in self._held.values()
                   if id(req) not in self._downloading
                   and (inprogress is None or req in inprogress))

    def _park_bad(self, lease: str, payload: bytes, exc: Exception) -> None:
        logger.error("refused a queue entry of job %r (moved to %s): %s", self.keys.job,
                     self.keys.bad, exc)
        self.stats.inc_value("bantin/redis/refused")
        record = json.dumps({"error": str(exc), "worker": self.worker,
                             "payload_b64": base64.b64encode(payload).decode("ascii")})
        pipe = self.server.pipeline(transaction=True)
        pipe.rpush(self.keys.bad, record)
        pipe.hdel(self.keys.inflight, lease)
        pipe.zrem(self.keys.leases, lease)
        pipe.execute()

    # ------------------------------------------------------------------ housekeeping
    def _tick(self) -> None:
        """Ack finished leases, refresh held ones, re-queue expired ones, track idleness."""
        try:
            inprogress = _engine_in_progress(self.crawler)
            if inprogress is not None:
                done = [lease for lease, req in self._held.items() if req not in inprogress]
                # A finished request whose follow-ups may not all be queued is crawled again.
                self.queue.release([lease for lease in done if lease in self._tainted])
                self.queue.ack([lease for lease in done if lease not in self._tainted])
                self._tainted.difference_update(done)
                for lease in done:
                    self._downloading.discard(id(self._held.pop(lease)))
            self.queue.refresh(self._held)
            requeued = self.queue.requeue_expired()
            if requeued:
                logger.warning("re-queued %d requests whose worker stopped renewing its lease",
                               requeued)
                self.stats.inc_value("bantin/redis/requeued_expired", requeued)
            self.df.touch()
            waiting, inflight = len(self.queue), self.server.hlen(self.keys.inflight)
            self._report()
        except redis.RedisError as exc:
            logger.warning("Redis unavailable during housekeeping (will retry): %s", exc)
            self._idle_since = None
            return
        now = time.monotonic()
        if waiting == 0 and inflight == 0 and not self._held:
            self._idle_since = self._idle_since or now
        else:
            self._idle_since = None
        self._wake_engine()

    def _wake_if_idle(self) -> None:
        """An idle worker looks at the queue every WAKE_INTERVAL: another worker's listing
        page may just have queued the next link of a chain (postback pages come one by one)."""
        if self._held:
            return  # busy: the engine asks for more as each request completes
        try:
            waiting = len(self.queue)
        except redis.RedisError:
            return
        if waiting:
            self._wake_engine()

    def _wake_engine(self) -> None:
        """Let the engine look at the queue now instead of at its next 5 s heartbeat."""
        try:
            slot = getattr(self.crawler.engine, "_slot", None)
        except (AttributeError, RuntimeError):
            return
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _spider_idle(self, spider: Spider) -> None:
        """Keep the spider open until the whole job has been idle for the idle timeout."""
        if self.idle_timeout <= 0 or self._idle_since is None:
            raise DontCloseSpider
        if time.monotonic() - self._idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("crawl job %r idle for %.0f s: worker %s stops", self.keys.job,
                    self.idle_timeout, self.worker)

    def _report(self) -> None:
        stats = self.stats.get_stats()
        progress = {
            "worker": self.worker,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "state": self._state,
            "started": self._started,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "responses": stats.get("response_received_count", 0),
            "items": stats.get("item_scraped_count", 0),
            "dequeued": stats.get("scheduler/dequeued/redis", 0),
            "enqueued": stats.get("scheduler/enqueued/redis", 0),
            "held": len(self._held),
            "requeued": stats.get("bantin/redis/requeued_expired", 0),
        }
        pipe = self.server.pipeline(transaction=False)
        pipe.hset(self.keys.workers, self.worker, json.dumps(progress))
        pipe.pexpire(self.keys.workers, self.df.ttl_ms)
        pipe.execute()


# ---------------------------------------------------------------------------------------------
# Politeness across workers: one request per host per delay, whichever worker sends it
# ---------------------------------------------------------------------------------------------

# KEYS: the host's next free time. ARGV: delay in ms. Returns ms to wait before sending.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return at - now
"""


class SharedPolitenessMiddleware:
    """Spaces the requests to a host by its download delay across every worker of the job.

    Scrapy's download slots are per process: N workers on one portal would send it N times
    the rate its delay allows. Before each download this reserves the host's next free
    moment in Redis (one Lua call, Redis's clock) and waits until then. The delay is the
    host's DOWNLOAD_SLOTS entry (the source's `delay`) or DOWNLOAD_DELAY; 0 skips Redis.
    Settings: BANTIN_REDIS_POLITENESS_ENABLED (default on in `bantin worker`).
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.keys = FrontierKeys.from_settings(settings)
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.slots = settings.getdict("DOWNLOAD_SLOTS")
        self.server = connect(str(setting(settings, "BANTIN_REDIS_URL")))
        self._reserve = self.server.register_script(_RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        from scrapy.exceptions import NotConfigured

        if not _truthy(setting(crawler.settings, "BANTIN_REDIS_POLITENESS_ENABLED")):
            raise NotConfigured("BANTIN_REDIS_POLITENESS_ENABLED is off")
        return cls(crawler)

    def delay_for(self, host: str) -> float:
        slot = self.slots.get(host) or {}
        return float(slot.get("delay", self.default_delay))

    async def process_request(self, request: Request) -> None:
        from scrapy.utils.httpobj import urlparse_cached

        host = urlparse_cached(request).hostname or ""
        delay = self.delay_for(host)
        if delay <= 0 or not host:
            return
        wait_ms = int(self._reserve(keys=[self.keys.host(host)], args=[int(delay * 1000)]))
        if wait_ms > 0:
            self.crawler.stats.inc_value("bantin/redis/politeness_waits")
            from scrapy.utils.defer import maybe_deferred_to_future
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, wait_ms / 1000, lambda: None))


# After robots.txt (100: a refused request takes no turn), before everything that sends.
WORKER_MIDDLEWARES: dict[str, int | None] = {
    "scraper.redis_frontier.SharedPolitenessMiddleware": 110,
}


# ---------------------------------------------------------------------------------------------
# Job-level operations (used by `bantin enqueue`, `bantin worker` and the tests)
# ---------------------------------------------------------------------------------------------


@dataclass
class JobStatus:
    queued: int
    inflight: int
    seen: int
    bad: int
    workers: dict[str, dict[str, Any]]

    @property
    def running(self) -> bool:
        return bool(self.queued or self.inflight)


def job_status(server: redis.Redis, keys: FrontierKeys) -> JobStatus:
    pipe = server.pipeline(transaction=True)
    pipe.zcard(keys.queue)
    pipe.hlen(keys.inflight)
    pipe.scard(keys.seen)
    pipe.llen(keys.bad)
    pipe.hgetall(keys.workers)
    queued, inflight, seen, bad, workers = pipe.execute()
    return JobStatus(queued, inflight, seen, bad,
                     {k.decode(): json.loads(v) for k, v in workers.items()})


def begin_crawl(server: redis.Redis, keys: FrontierKeys) -> bool:
    """Start a new crawl of the job if it is idle: forget the previous crawl's fingerprints.

    Returns True when a new crawl starts (queue and in-flight empty), False when seeds join
    a crawl still running (its fingerprints stay, so nothing is fetched twice).
    """
    if job_status(server, keys).running:
        return False
    _forget_known(server, keys)
    server.delete(keys.seen, keys.workers)
    return True


def delete_job(server: redis.Redis, keys: FrontierKeys) -> None:
    """Remove every key of the job (tests, or `bantin enqueue --reset`)."""
    _forget_known(server, keys)
    server.delete(*keys.all())
    leftovers = list(server.scan_iter(match=keys._key("*"), count=1000))
    if leftovers:  # per-host politeness keys (job names hold no glob characters)
        server.delete(*leftovers)


def _forget_known(server: redis.Redis, keys: FrontierKeys) -> None:
    sources = [s.decode() for s in server.smembers(keys.known_sources)]
    doomed = [keys.known_sources]
    for source_id in sources:
        doomed += [keys.known(source_id), keys.known_state(source_id)]
    server.delete(*doomed)


def distributed_settings(*, redis_url: str | None = None, job: str | None = None,
                         idle_timeout: float | None = None, worker: str | None = None
                         ) -> dict[str, Any]:
    """The Scrapy settings that turn a crawl into a worker of the shared Redis frontier."""
    out: dict[str, Any] = {
        "SCHEDULER": "scraper.redis_frontier.RedisFrontierScheduler",
        "DUPEFILTER_CLASS": "scraper.redis_frontier.RedisDupeFilter",
        "SCHEDULER_SERIALIZER": "scraper.redis_frontier",
        "JOBDIR": None,  # the frontier lives in Redis, not on local disk
    }
    if _module_exists("spiders.fingerprint"):
        out["REQUEST_FINGERPRINTER_CLASS"] = "spiders.fingerprint.CanonicalRequestFingerprinter"
    if redis_url:
        out["BANTIN_REDIS_URL"] = redis_url
    if job:
        out["BANTIN_REDIS_JOB"] = check_job(job)
    if idle_timeout is not None:
        out["BANTIN_REDIS_IDLE_TIMEOUT"] = float(idle_timeout)
    if worker:
        out["BANTIN_REDIS_WORKER"] = worker
    return out


def _module_exists(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# ---------------------------------------------------------------------------------------------
# The worker's spider: PortalSpider for every source of the registry at once
# ---------------------------------------------------------------------------------------------

SOURCE_META = "bantin_source"  # request meta: the id of the source a request belongs to
KNOWN_LOADING_MS = 60_000  # a worker loading a source's known URLs holds the lock this long


def _portal_spider() -> type:
    from spiders.portal import PortalSpider

    return PortalSpider


def _callback_names(spider_cls: type) -> list[str]:
    """PortalSpider's callbacks and errbacks (the names requests carry through Redis)."""
    return sorted(name for name in dir(spider_cls)
                  if (name.startswith("parse_") or name == "on_error")
                  and callable(getattr(spider_cls, name)))


class _WorkerBase:
    """The multiplexing behind `WorkerSpider` (kept apart so the class reads top-down).

    PortalSpider keeps a source's state on the spider instance (its source, its allowed
    domains, the URLs already stored, the listed URLs). A worker serves requests of any
    source, so it holds one PortalSpider per source it has met (a "delegate", created on the
    first request of that source, sharing the worker's crawler) and runs each request's
    callback on that source's delegate. Requests the delegate yields get the source id in
    their meta and callbacks named on the worker, so they serialise to Redis and any worker
    can resume them.
    """

    crawler: Crawler
    settings: Any

    def _setup_worker(self, sources: str | None, full: Any, refresh: Any) -> None:
        from scraper.sources import default_sources_path, load_sources

        self.sources_path = str(sources or self.settings.get("BANTIN_SOURCES")
                                or default_sources_path())
        self.registry = {s.id: s for s in load_sources(self.sources_path)}
        self.full = _truthy(full)
        self.refresh = _truthy(refresh)
        self._delegates: dict[str, Any] = {}
        self._loading: dict[str, Any] = {}  # source id -> asyncio.Event while known URLs load
        self.frontier_keys = FrontierKeys.from_settings(self.settings)
        self._redis: redis.Redis | None = None
        domains: set[str] = set()
        for source in self.registry.values():
            hosts = list(source.allowed_domains) or [urlsplit_host(u) for u in source.start_urls]
            domains.update(h.split(":")[0].lower() for h in hosts if h)
        self.allowed_domains = sorted(domains)

    def delegate(self, source_id: str) -> Any:
        """The PortalSpider of `source_id` on this worker (created without I/O)."""
        d = self._delegates.get(source_id)
        if d is not None:
            return d
        if source_id not in self.registry:
            raise FrontierError(
                f"a queued request names source {source_id!r}, which {self.sources_path} does "
                "not list: give every worker the same sources registry (--sources)"
            )
        d = _portal_spider()(source=source_id, sources=self.sources_path, full=self.full,
                             refresh=self.refresh)
        d.crawler = self.crawler
        d.settings = self.settings
        d.load_source(self.settings)
        d.run_id = getattr(self, "run_id", None)
        self._delegates[source_id] = d
        return d

    async def ready_delegate(self, source_id: str) -> Any:
        """The delegate with its source registered in the store and its stored URLs loaded."""
        import asyncio

        first = source_id not in self._delegates
        d = self.delegate(source_id)
        if first:
            event = self._loading[source_id] = asyncio.Event()
            try:
                await self._prepare(d)
            finally:
                event.set()
                del self._loading[source_id]
        elif source_id in self._loading:
            await self._loading[source_id].wait()
        return d

    async def _prepare(self, d: Any) -> None:
        if not self.settings.getbool("BANTIN_STORE_ENABLED", True):
            return
        from pipelines.store import StoreWorker

        worker = StoreWorker.for_crawler(self.crawler)
        store = await worker.open()
        await worker.call(store.upsert_source, d.source_mapping())
        if self.settings.getbool("BANTIN_CRAWL_INCREMENTAL", True):
            d.known = await self._known_snapshot(d)

    async def _known_snapshot(self, d: Any) -> set[str]:
        """The source's stored URLs as they were when this crawl of the job first met it.

        PortalSpider stops walking a listing after a page of only known articles. If each
        worker loaded the store on its own, a late worker would count articles stored minutes
        ago by another worker of the same crawl as known and stop walks short: the first
        worker to meet a source loads its URLs once into Redis, the others read that snapshot.
        """
        import asyncio

        server, keys, source_id = self._frontier_redis(), self.frontier_keys, d.source_id
        ttl_ms = int(float(setting(self.settings, "BANTIN_REDIS_DUPEFILTER_TTL")) * 1000)
        server.sadd(keys.known_sources, source_id)  # so a new crawl of the job forgets it
        server.pexpire(keys.known_sources, ttl_ms)
        while True:
            if server.set(keys.known_state(source_id), "loading", nx=True,
                          px=KNOWN_LOADING_MS):
                await d.load_known()
                urls = sorted(d.known)
                pipe = server.pipeline(transaction=True)
                pipe.delete(keys.known(source_id))
                for i in range(0, len(urls), 1000):
                    pipe.sadd(keys.known(source_id), *urls[i:i + 1000])
                pipe.pexpire(keys.known(source_id), ttl_ms)
                pipe.set(keys.known_state(source_id), "ready", px=ttl_ms)
                pipe.execute()
                return set(urls)
            if server.get(keys.known_state(source_id)) == b"ready":
                return {u.decode("utf-8") for u in server.smembers(keys.known(source_id))}
            await asyncio.sleep(0.2)  # another worker is loading it

    def _frontier_redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = connect(str(setting(self.settings, "BANTIN_REDIS_URL")))
        return self._redis

    def adopt(self, request: Request, source_id: str) -> Request:
        """A delegate's request made the worker's: source id in meta, callbacks by name."""
        request.meta[SOURCE_META] = source_id
        user_agent = getattr(self.registry[source_id], "user_agent", None)
        if user_agent and b"User-Agent" not in request.headers:
            request.headers[b"User-Agent"] = user_agent
        return request.replace(callback=self._own(request.callback),
                               errback=self._own(request.errback))

    def _own(self, func: Any) -> Any:
        if func is None or not callable(func):
            return func
        name = getattr(func, "__name__", "")
        if name not in WORKER_CALLBACKS:
            raise FrontierError(f"callback {name!r} has no distributed dispatcher")
        return getattr(self, name)

    async def dispatch(self, name: str, result: Any, kwargs: dict[str, Any]) -> Any:
        """Run callback `name` of the request's source on its delegate; adopt its output."""
        request = getattr(result, "request", None)
        meta = request.meta if request is not None else {}
        source_id = meta.get(SOURCE_META)
        if not source_id:
            logger.error("request without %r in meta reached worker callback %s: %s",
                         SOURCE_META, name, request)
            return
        d = await self.ready_delegate(source_id)
        output = getattr(d, name)(result, **kwargs)
        if output is None:
            return
        if hasattr(output, "__aiter__"):
            async for out in output:
                yield self.adopt(out, source_id) if isinstance(out, Request) else out
        else:
            for out in output:
                yield self.adopt(out, source_id) if isinstance(out, Request) else out

    async def seed_requests(self, source_id: str) -> list[Request]:
        """The start requests of a source as PortalSpider.start() makes them, adopted.

        Used by `bantin enqueue` outside any reactor: BANTIN_CRAWL_INCREMENTAL must be off in
        its settings (the stored URLs are loaded by the worker that crawls the source).
        """
        d = self.delegate(source_id)
        return [self.adopt(r, source_id) async for r in d.start() if isinstance(r, Request)]


def urlsplit_host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _make_worker_spider() -> type:
    portal = _portal_spider()

    class WorkerSpider(_WorkerBase, portal):  # type: ignore[misc, valid-type]
        """A distributed worker's spider: any registered source, fed only from Redis.

        `async def start()` yields nothing: seeds come from `bantin enqueue`, every other
        request from the shared frontier. It never marks articles removed (one worker sees
        only part of a walk) and records one crawl run per worker in the store.
        """

        name = "worker"

        def __init__(self, sources: str | None = None, full: Any = False,
                     refresh: Any = False, **kwargs: Any) -> None:
            import scrapy

            scrapy.Spider.__init__(self, **kwargs)
            self._init_args = (sources, full, refresh)
            self.source_id = None
            self.source = None
            self.run_id: int | None = None
            self.known: set[str] = set()
            self.listed_urls: set[str] = set()
            self.start_reached = True  # a worker has no start page of its own
            self.listing_failures = 0
            self.force_walk = False
            self.resume = False

        @classmethod
        def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
            import scrapy

            spider = scrapy.Spider.from_crawler.__func__(cls, crawler, *args, **kwargs)
            spider._setup_worker(*spider._init_args)
            crawler.signals.connect(spider._run_opened, signal=signals.spider_opened)
            return spider

        def _run_opened(self, spider: Any) -> None:
            for d in self._delegates.values():
                d.run_id = self.run_id

        async def start(self) -> Any:
            return
            yield  # an async generator that yields nothing

        def source_mapping(self) -> None:
            return None

        def run_options(self) -> dict[str, Any]:
            settings = self.settings
            return {"distributed": True, "spider": self.name,
                    "job": str(setting(settings, "BANTIN_REDIS_JOB")),
                    "worker": str(setting(settings, "BANTIN_REDIS_WORKER")),
                    "redis": mask_url(str(setting(settings, "BANTIN_REDIS_URL"))),
                    "sources": self.sources_path, "full": self.full, "refresh": self.refresh}

        def walk_complete(self, reason: str) -> bool:
            return False

    def dispatcher(name: str) -> Any:
        async def callback(self: Any, result: Any, **kwargs: Any) -> Any:
            async for out in self.dispatch(name, result, kwargs):
                yield out

        callback.__name__ = callback.__qualname__ = name
        callback.__doc__ = f"PortalSpider.{name} of the request's source."
        return callback

    for name in WORKER_CALLBACKS:
        setattr(WorkerSpider, name, dispatcher(name))
    WorkerSpider.__module__ = __name__
    return WorkerSpider


WORKER_CALLBACKS: list[str] = []


def __getattr__(name: str) -> Any:
    """`WorkerSpider` is built on first use: importing the frontier must not import spiders."""
    if name == "WorkerSpider":
        WORKER_CALLBACKS[:] = _callback_names(_portal_spider())
        cls = _make_worker_spider()
        globals()["WorkerSpider"] = cls
        return cls
    raise AttributeError(name)
