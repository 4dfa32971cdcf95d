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

_GENERATOR = etree.XPath(  # regexp=False: no EXSLT regexps; ~0.7 us less a call
    "//meta[translate(@name,'GENERATOR','generator')='generator']/@content", regexp=False
)

# A page needs at least this much evidence to be attributed to a platform.
MIN_SCORE = 3


def get(name: str) -> Platform:
    """The platform called `name` (KeyError naming the known ones if there is none)."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise KeyError(f"unknown platform {name!r}; known: {', '.join(PLATFORMS)}") from None


_GENERATOR_CASE = str.maketrans("GENERATOR", "generator")  # _GENERATOR's translate()


def detect(tree: etree._Element, url: str = "", html: str | None = None,
           metas: list[etree._Element] | None = None) -> Platform:
    """The platform that served `tree` (parsed page) at `url`; `generic` when unsure.

    `html` (the decoded page) lets substring markers be checked without serialising the tree.
    `metas`: every <meta> element of the tree in document order, when the caller has them
    (the generator is then read from them instead of walking the tree again).
    """
    global _last_found
    if metas is None:
        generator = " ".join(_GENERATOR(tree))
    else:
        generator = " ".join(
            content for el in metas
            if (el.get("name") or "").translate(_GENERATOR_CASE) == "generator"
            and (content := el.get("content")) is not None
        )
    if html is None:
        html = etree.tostring(tree, encoding="unicode")
    # The highest score wins, the earlier platform (registry order) on a tie. The platform
    # found last is scored first: pages of one crawl share a platform, and once its score
    # is known the others stop checking as soon as they cannot beat it (same answer, a
    # fraction of the substring scans and XPath walks).
    candidates = [(i, p) for i, p in enumerate(PLATFORMS.values()) if p.name != "generic"]
    candidates.sort(key=lambda c: c[1].name != _last_found)  # stable: registry order after
    best, best_score, best_index = PLATFORMS["generic"], 0, len(candidates) + 1
    for index, platform in candidates:
        # to win: more than the best so far, or as much when earlier in the registry
        beat = best_score - 1 if index < best_index and best_index <= len(candidates) \
            else best_score
        score = platform.detect_score(tree, url, generator, html, beat)
        if score > beat:
            best, best_score, best_index = platform, score, index
    if best_score >= MIN_SCORE:
        _last_found = best.name
        return best
    return PLATFORMS["generic"]


_last_found = ""  # the platform detect found last in this process (an ordering hint only)


__all__ = ["PLATFORMS", "Pagination", "Platform", "PostbackPager", "detect", "get"]
