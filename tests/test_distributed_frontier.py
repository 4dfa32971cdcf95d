"""The Redis frontier's parts, against the real Redis: serialisation, dupefilter, leases.

Each test works under its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import pickle
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from scrapy import FormRequest, Request, Spider
from scrapy.utils.test import get_crawler

from scraper import redis_frontier as rf


class CallbackSpider(Spider):
    name = "callbacks"

    def parse_listing(self, response):  # noqa: ANN001, ANN201 - a callback by name
        return []

    def on_error(self, failure):  # noqa: ANN001, ANN201
        return []


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def keys(server: redis.Redis) -> Iterator[rf.FrontierKeys]:
    k = rf.FrontierKeys(f"bantin-test-{uuid.uuid4().hex[:10]}", "job")
    yield k
    rf.delete_job(server, k)


def _queue(server: redis.Redis, keys: rf.FrontierKeys, spider: Spider, *,
           lease_timeout: float = 60.0, worker: str = "w1") -> rf.LeasedPriorityQueue:
    return rf.LeasedPriorityQueue(server, spider, keys, rf, lease_timeout=lease_timeout,
                                  worker=worker)


# ------------------------------------------------------------------ serialisation


def test_get_request_round_trips_with_callbacks_by_name_and_meta() -> None:
    spider = CallbackSpider()
    request = Request(
        "https://pholu.laocai.gov.vn/tin-tuc?page=2", callback=spider.parse_listing,
        errback=spider.on_error, priority=5, headers={"If-None-Match": '"abc"'},
        meta={"bantin": {"role": "page", "page": 2, "streak": 0}, "bantin_source": "pholu",
              "raw": b"\x00\xff bytes", "handle_httpstatus_list": [404, 410]},
        cb_kwargs={"depth": 1},
    )
    payload = rf.request_to_bytes(request, spider)
    back = rf.request_from_bytes(payload, spider)
    assert payload.startswith(b"{")
    assert back.url == request.url
    assert back.callback == spider.parse_listing
    assert back.errback == spider.on_error
    assert back.priority == 5
    assert back.headers.getlist("If-None-Match") == [b'"abc"']
    assert back.meta == request.meta
    assert back.cb_kwargs == {"depth": 1}


def test_postback_form_request_round_trips_as_a_post_with_its_body() -> None:
    spider = CallbackSpider()
    request = FormRequest(
        "https://pholu.laocai.gov.vn/Default.aspx?pageid=1056",
        formdata={"__EVENTTARGET": "ctl00$pager", "__EVENTARGUMENT": "Page$3",
                  "__VIEWSTATE": "dDwtMTA4NzI=", "ô": "Phố Lu"},
        callback=spider.parse_listing, meta={"bantin": {"postback": "Page$3"}},
    )
    back = rf.request_from_bytes(rf.request_to_bytes(request, spider), spider)
    assert type(back) is FormRequest
    assert back.method == "POST"
    assert back.body == request.body
    assert back.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert back.callback == spider.parse_listing
    assert back.meta == {"bantin": {"postback": "Page$3"}}


def test_dicts_with_non_string_or_tag_like_keys_round_trip() -> None:
    spider = CallbackSpider()
    meta = {"odd": {1: "one", b"k": [b"v"]}, "tagged": {"$bytes": "not really"}}
    back = rf.request_from_bytes(rf.request_to_bytes(Request("http://a.vn/", meta=meta),
                                                     spider), spider)
    assert back.meta == meta


def test_pickle_payload_is_refused() -> None:
    spider = CallbackSpider()
    payload = pickle.dumps(Request("http://a.vn/").to_dict(spider=spider), protocol=4)
    with pytest.raises(rf.PayloadRefused, match="pickle"):
        rf.loads(payload)


def test_payload_naming_a_non_request_class_is_refused() -> None:
    evil = b'{"bantin":1,"request":{"url":"http://a.vn/","_class":"os.system"}}'
    with pytest.raises(rf.PayloadRefused, match="os.system"):
        rf.loads(evil)
    not_request = b'{"bantin":1,"request":{"url":"http://a.vn/","_class":"scrapy.Spider"}}'
    with pytest.raises(rf.PayloadRefused, match="not a scrapy Request"):
        rf.loads(not_request)


def test_json_without_the_bantin_envelope_is_refused() -> None:
    with pytest.raises(rf.PayloadRefused, match="envelope"):
        rf.loads(b'{"url": "http://a.vn/"}')


def test_unserialisable_meta_is_an_error_naming_where() -> None:
    spider = CallbackSpider()
    with pytest.raises(rf.FrontierError, match=r"request\.meta\.when"):
        rf.request_to_bytes(Request("http://a.vn/", meta={"when": object()}), spider)


# ------------------------------------------------------------------ dupefilter


def _dupefilter(server: redis.Redis, keys: rf.FrontierKeys, ttl: float) -> rf.RedisDupeFilter:
    crawler = get_crawler(CallbackSpider, rf.distributed_settings())
    from scrapy.utils.misc import build_from_crawler, load_object

    fingerprinter = build_from_crawler(
        load_object(crawler.settings["REQUEST_FINGERPRINTER_CLASS"]), crawler)
    return rf.RedisDupeFilter(server, keys.seen, fingerprinter=fingerprinter, ttl=ttl)


def test_dupefilter_uses_the_canonical_fingerprint(server: redis.Redis,
                                                   keys: rf.FrontierKeys) -> None:
    df = _dupefilter(server, keys, ttl=60)
    assert not df.request_seen(Request("https://pholu.laocai.gov.vn/tin/a-1.html"))
    assert df.request_seen(
        Request("https://PHOLU.laocai.gov.vn/tin/a-1.html?utm_source=zalo#top"))
    assert not df.request_seen(Request("https://pholu.laocai.gov.vn/tin/a-2.html"))


def test_dupefilter_key_has_a_ttl_refreshed_on_use_and_expires(server: redis.Redis,
                                                               keys: rf.FrontierKeys) -> None:
    df = _dupefilter(server, keys, ttl=0.4)
    df.request_seen(Request("http://a.vn/1"))
    assert 0 < server.pttl(keys.seen) <= 400
    time.sleep(0.25)
    df.request_seen(Request("http://a.vn/2"))  # in use: the TTL starts again
    assert server.pttl(keys.seen) > 250
    time.sleep(0.6)
    assert not server.exists(keys.seen)
    assert not df.request_seen(Request("http://a.vn/1"))


def test_dupefilter_close_keeps_the_shared_set(server: redis.Redis,
                                               keys: rf.FrontierKeys) -> None:
    df = _dupefilter(server, keys, ttl=60)
    df.request_seen(Request("http://a.vn/1"))
    df.close("finished")
    assert server.scard(keys.seen) == 1


# ------------------------------------------------------------------ leased queue


def test_pop_moves_the_request_into_flight_until_acked(server: redis.Redis,
                                                       keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    queue = _queue(server, keys, spider)
    queue.push(Request("http://a.vn/1", callback=spider.parse_listing))
    lease, payload = queue.pop_lease()
    assert len(queue) == 0
    assert server.hlen(keys.inflight) == 1
    assert queue.decode(payload).callback == spider.parse_listing
    queue.ack([lease])
    assert server.hlen(keys.inflight) == 0
    assert server.zcard(keys.leases) == 0


def test_pop_takes_the_highest_priority_first(server: redis.Redis,
                                              keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    queue = _queue(server, keys, spider)
    queue.push(Request("http://a.vn/low", priority=1))
    queue.push(Request("http://a.vn/high", priority=20))
    assert queue.decode(queue.pop_lease()[1]).url == "http://a.vn/high"


def test_expired_lease_is_requeued_with_its_priority(server: redis.Redis,
                                                     keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    dead = _queue(server, keys, spider, lease_timeout=0.2, worker="dead")
    alive = _queue(server, keys, spider, lease_timeout=60, worker="alive")
    dead.push(Request("http://a.vn/1", priority=7))
    dead.pop_lease()  # ...and the worker is killed
    assert alive.requeue_expired() == 0
    time.sleep(0.3)
    assert alive.requeue_expired() == 1
    assert server.hlen(keys.inflight) == 0
    lease, payload = alive.pop_lease()
    assert alive.decode(payload).priority == 7
    assert lease.startswith("alive:")


def test_refreshed_lease_is_not_requeued(server: redis.Redis, keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    queue = _queue(server, keys, spider, lease_timeout=0.3)
    queue.push(Request("http://a.vn/1"))
    lease, _ = queue.pop_lease()
    for _ in range(3):
        time.sleep(0.15)
        assert queue.refresh([lease]) == 1
        assert queue.requeue_expired() == 0
    assert server.hlen(keys.inflight) == 1


def test_released_leases_go_back_to_the_queue_at_once(server: redis.Redis,
                                                      keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    queue = _queue(server, keys, spider)
    for i in range(3):
        queue.push(Request(f"http://a.vn/{i}"))
    leases = [queue.pop_lease()[0] for _ in range(3)]
    assert queue.release(leases[:2]) == 2
    assert len(queue) == 2
    assert server.hlen(keys.inflight) == 1


def test_begin_crawl_forgets_fingerprints_only_when_the_job_is_idle(
        server: redis.Redis, keys: rf.FrontierKeys) -> None:
    spider = CallbackSpider()
    df = _dupefilter(server, keys, ttl=60)
    df.request_seen(Request("http://a.vn/1"))
    queue = _queue(server, keys, spider)
    queue.push(Request("http://a.vn/2"))
    assert rf.begin_crawl(server, keys) is False  # still running: fingerprints kept
    assert server.scard(keys.seen) == 1
    queue.ack([queue.pop_lease()[0]])
    assert rf.begin_crawl(server, keys) is True
    assert not server.exists(keys.seen)


def test_bad_job_names_are_rejected() -> None:
    with pytest.raises(rf.FrontierError, match="bad job name"):
        rf.check_job("two words")
