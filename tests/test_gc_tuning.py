"""The GC tuning extension: the start-up heap is frozen and the thresholds raised while a
spider runs, and both are put back when the last spider of the process closes."""

from __future__ import annotations

import gc

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from scraper.gc_tuning import GcTuning, parse_thresholds


@pytest.fixture
def restore_gc():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def _extension(**settings) -> tuple[GcTuning, object]:
    crawler = get_crawler(Spider, {"BANTIN_GC_TUNING_ENABLED": True, **settings})
    crawler.stats.open_spider()
    return GcTuning.from_crawler(crawler), crawler


def test_open_spider_freezes_the_heap_and_raises_thresholds(restore_gc):
    ext, crawler = _extension(BANTIN_GC_THRESHOLDS="20000,5,7")
    ext.spider_opened()
    assert gc.get_threshold() == (20000, 5, 7)
    assert gc.get_freeze_count() > 1000  # every module and class imported so far
    assert crawler.stats.get_value("bantin_gc/frozen_objects") == gc.get_freeze_count()
    ext.spider_closed()


def test_close_spider_restores_thresholds_and_unfreezes(restore_gc):
    before = gc.get_threshold()
    ext, crawler = _extension()
    ext.spider_opened()
    gc.collect()
    ext.spider_closed()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert crawler.stats.get_value("bantin_gc/collections/gen2") >= 1
    assert crawler.stats.get_value("bantin_gc/seconds") > 0


def test_heap_stays_tuned_until_the_last_of_several_crawlers_closes(restore_gc):
    first, _ = _extension(BANTIN_GC_THRESHOLDS="9000,10,10")
    second, _ = _extension(BANTIN_GC_THRESHOLDS="9000,10,10")
    first.spider_opened()
    second.spider_opened()
    first.spider_closed()
    assert gc.get_threshold() == (9000, 10, 10) and gc.get_freeze_count() > 0
    second.spider_closed()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("value", ["10000,10", "a,b,c", "-1,10,10", ""])
def test_bad_thresholds_are_refused_naming_the_setting(value):
    with pytest.raises(ValueError, match="BANTIN_GC_THRESHOLDS"):
        parse_thresholds(value)


def test_switched_off_it_is_not_configured():
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(Spider, {"BANTIN_GC_TUNING_ENABLED": False})
    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(crawler)
