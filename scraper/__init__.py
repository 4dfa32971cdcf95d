"""bantin: scrape and archive Vietnamese government news portals.

`scraper` is the parsing and text library (bytes and a URL in, a record out), usable without
Scrapy, plus the project's Scrapy settings, items and the `bantin` command line.
"""

__version__ = "0.1.0"
