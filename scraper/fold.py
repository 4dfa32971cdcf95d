"""Search folding: the key under which "Phố Lu thi đua" and "pho lu thi dua" meet.

SQLite's FTS5 never folds "đ" and leaves letters with two marks unfolded, and SQLite's
lower() leaves "Đ" alone, so folding happens here, in Python, before indexing and querying.
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile("[\u0300-\u036f]")
_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """Lower-case text without diacritics; đ/Đ (and the cp1252 look-alikes ð/Ð) become d."""
    decomposed = unicodedata.normalize("NFD", text)
    return _MARKS.sub("", decomposed).translate(_D).lower()
