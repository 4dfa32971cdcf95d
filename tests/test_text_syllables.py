"""The generated Vietnamese syllable set: complete on real text, strict on non-syllables."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

from scraper.syllables import is_syllable, place_tone, split_tone, syllables

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
SEED = Path(__file__).parent / "fixtures" / "seed"


def _words(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?s)<script.*?</script>|<style.*?</style>|<[^>]+>", " ", text)
    text = unicodedata.normalize("NFC", html.unescape(text))
    return [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]


def test_every_vietnamese_word_of_a_real_article_is_a_syllable() -> None:
    words = _words(FIXTURES / "liferay_article_4417996.html")
    unknown = sorted({w for w in words if not is_syllable(w)})
    # Only abbreviations written with Đ remain (HĐND, QĐ): they are not syllables.
    assert all(w.isupper() and "Đ" in w for w in unknown), unknown
    assert len(words) > 500


def test_every_word_of_the_pho_lu_notice_is_a_syllable_except_its_glued_words() -> None:
    words = _words(SEED / "pholu-notice.txt")
    unknown = {w for w in words if not is_syllable(w)}
    assert unknown == {"củathị", "côngtác", "ngànhm", "HĐND"}


@pytest.mark.parametrize(
    "word",
    [
        "của", "thị", "trấn", "nghiêng", "khuỷu", "quốc", "giết", "gìn", "giữa", "thuở",
        "Nguyễn", "xuân", "huế", "yên", "ngoằng", "hòa", "hoà", "thủy", "thuỷ", "Ủy", "buýt",
        "Đắk", "Lắk", "kính", "ghế", "quýt",
    ],
)  # fmt: skip
def test_valid_syllables_are_known(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "côngtác",  # two syllables
        "nghành",  # ngh only before e, ê, i
        "kà",  # k only before e, ê, i, y
        "ghà",  # gh only before e, ê, i
        "tồp",  # a stop final takes only the sắc or nặng tone
        "top",  # ... and never the level tone
        "online",
        "ðà",  # eth is not đ
    ],
)
def test_non_syllables_are_rejected(word: str) -> None:
    assert not is_syllable(word)


def test_tone_placement_styles() -> None:
    assert place_tone("hoa", 1) == "hòa"
    assert place_tone("hoa", 1, traditional=False) == "hoà"
    assert place_tone("thuy", 3) == "thủy"
    assert place_tone("thuy", 3, traditional=False) == "thuỷ"
    assert place_tone("hoan", 1) == "hoàn"  # closed syllables are the same in both styles
    assert place_tone("quy", 2) == "quý"  # qu is an onset: the tone goes on y
    assert place_tone("nguyên", 4) == "nguyễn"


def test_split_tone_returns_base_and_tone() -> None:
    assert split_tone("Nguyễn") == ("Nguyên", 4)
    assert split_tone("đa") == ("đa", 0)


def test_the_set_is_closed_and_of_the_expected_size() -> None:
    size = len(syllables())
    # About 3,300 toneless syllables × the allowed tones, both placements: well under the
    # ~20,000 a careless product of onsets, rhymes and tones would give.
    assert 14_000 < size < 18_000
    assert all(s == unicodedata.normalize("NFC", s) and s == s.lower() for s in syllables())
