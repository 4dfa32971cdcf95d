"""Scrapy settings for bantin crawls.

Components are enabled per setting with an `_ENABLED` switch and configured with settings
prefixed by the component's name (BANTIN_STORE_*, BANTIN_WARC_*, ...).
"""

from scraper import __version__

BOT_NAME = "bantin"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

BANTIN_CONTACT_URL = "https://github.com/bantin-archive/bantin"
USER_AGENT = f"bantin/{__version__} (+{BANTIN_CONTACT_URL}; archiving public notices)"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

# Where records go (SQLAlchemy URL). `bantin crawl --db` and BANTIN_DB override it.
BANTIN_DB = "sqlite:///data/bantin.db"

# WARC capture (archive/capture.py). At 950 the middleware sees each response as received,
# before decompression (590), redirects (600) and retries (550) act on it.
DOWNLOADER_MIDDLEWARES = {
    "archive.capture.WarcCaptureMiddleware": 950,
    # Scrapy's robots.txt middleware lets through requests that wait for robots.txt
    # together (spiders/robots.py): replaced by a fixed subclass at the same place.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.robots.RobotsTxtMiddleware": 100,
}
BANTIN_WARC_ENABLED = True
BANTIN_WARC_DIR = "data/warc"
BANTIN_WARC_PREFIX = "bantin"
BANTIN_WARC_MAX_SIZE = 1_000_000_000  # bytes; files roll over past this size
BANTIN_WARC_OPERATOR = ""  # who runs the crawl, written into each file's warcinfo record
BANTIN_WARC_DEDUP = True  # identical payloads of a URL become revisit records

# Crawl (spiders/portal.py, pipelines/, scraper/progress.py). The canonical fingerprint makes
# the dupefilter (here and in the distributed mode) see tracking/session-id variants as one URL.
REQUEST_FINGERPRINTER_CLASS = "spiders.fingerprint.CanonicalRequestFingerprinter"
# Requests stay in memory while the crawl runs and go to JOBDIR when it pauses
# (spiders/scheduler.py): the same resume, without a disk round trip per request.
SCHEDULER = "spiders.scheduler.PauseToDiskScheduler"
# Spider middlewares that wrap every callback output in one more async generator and do
# nothing for this spider: depth is the spider's own (BANTIN_CRAWL_LISTING_DEPTH, in the
# request meta), and meta-copy detection is a development aid for spiders that copy
# response.meta into new requests, which this one never does.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Downloaded pages waiting for extraction (Scrapy counts their bytes in the scraper slot):
# past this, the engine stops taking new requests until the parse workers catch up. Scrapy's
# 5 MB let a fast crawl run ~600 pages ahead of its parse worker, which then parsed them alone
# at the end while the other core idled; 500 kB (~60 pages) keeps the workers fed and the
# tail short. Only fast crawls (loopback, no delay) ever reach it.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 500_000
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalize.NormalizePipeline": 200,
    "pipelines.store.StorePipeline": 800,
}
EXTENSIONS = {
    "scraper.progress.Progress": 500,
    "scraper.cpustats.CpuStats": 510,
    "scraper.gc_tuning.GcTuning": 520,
}
BANTIN_CRAWL_STOP_AFTER_KNOWN_PAGES = 1  # listing pages of only known articles before stopping
BANTIN_CRAWL_LISTING_DEPTH = 2  # category links followed from the start pages, levels deep
BANTIN_PROGRESS_INTERVAL = 5.0  # seconds between progress lines on stderr
BANTIN_GC_TUNING_ENABLED = True  # scraper/gc_tuning.py: start-up heap frozen while crawling
BANTIN_GC_THRESHOLDS = "10000,10,10"  # gc.set_threshold while crawling (default 700,10,10)
