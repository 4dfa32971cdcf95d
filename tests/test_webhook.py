"""Webhook delivery against a real receiver on loopback."""

from __future__ import annotations

import socket

import pytest

from archive.webhook import post_batch
from tests.webhook_receiver import Receiver

EVENTS = [{"event_id": 1, "kind": "new", "url": "http://x/a"}, {"event_id": 2, "kind": "new"}]


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(fail_statuses=None) -> Receiver:
        made.append(Receiver(fail_statuses))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def test_batch_is_posted_once_as_json(receiver):
    hook = receiver()
    result = post_batch(hook.url, EVENTS, monitor="hourly", backoff=0)
    assert result.ok and result.attempts == 1
    assert hook.event_ids() == [1, 2]
    assert hook.accepted[0]["monitor"] == "hourly"


def test_server_error_is_retried_until_acknowledged(receiver):
    hook = receiver([503, 500])
    result = post_batch(hook.url, EVENTS, monitor="m", retries=3, backoff=0)
    assert result.ok and result.attempts == 3
    assert hook.event_ids() == [1, 2]


def test_client_error_is_not_retried_and_reported(receiver):
    hook = receiver([400])
    result = post_batch(hook.url, EVENTS, monitor="m", retries=3, backoff=0)
    assert not result.ok and result.attempts == 1 and result.status == 400
    assert "HTTP 400" in result.error


def test_unreachable_receiver_fails_with_the_url_named():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    result = post_batch(url, EVENTS, monitor="m", retries=1, backoff=0, timeout=2)
    assert not result.ok and result.attempts == 2
    assert url in result.error
