"""Platform profiles: one module per CMS, each exporting `PLATFORM`.

`detect(tree, url)` picks the platform whose detection rules score highest (generator meta,
markup markers, URL patterns); with no evidence the page is `generic`. To add a platform, add
a module here exporting `PLATFORM` and its name to `PLATFORM_MODULES`.
"""

from __future__ import annotations

import importlib

from lxml import etree

from scraper.platforms.base import Pagination, Platform, PostbackPager

PLATFORM_MODULES: tuple[str, ...] = (
    "liferay",
    "sharepoint_lacviet",
    "vnportal",
    "wordpress",
    "generic",
)

PLATFORMS: dict[str, Platform] = {
    name: importlib.import_module(f"{__name__}.{name}").PLATFORM for name in PLATFORM_MODULES
}

_GENERATOR = etree.XPath("//meta[translate(@name,'GENERATOR','generator')='generator']/@content")

# A page needs at least this much evidence to be attributed to a platform.
MIN_SCORE = 3


def get(name: str) -> Platform:
    """The platform called `name` (KeyError naming the known ones if there is none)."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}") from None


def detect(tree: etree._Element, url: str = "", html: str | None = None) -> Platform:
    """The platform that served `tree` (parsed page) at `url`; `generic` when unsure.

    `html` (the decoded page) lets substring markers be checked without serialising the tree.
    """
    generator = " ".join(_GENERATOR(tree))
    if html is None:
        html = etree.tostring(tree, encoding="unicode")
    best, best_score = PLATFORMS["generic"], 0
    for platform in PLATFORMS.values():
        if platform.name == "generic":
            continue
        score = platform.detect_score(tree, url, generator, html)
        if score > best_score:
            best, best_score = platform, score
    return best if best_score >= MIN_SCORE else PLATFORMS["generic"]


__all__ = ["PLATFORMS", "Pagination", "Platform", "PostbackPager", "detect", "get"]
