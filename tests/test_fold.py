from scraper.fold import fold


def test_fold_removes_tone_and_vowel_marks():
    assert fold("Phố Lu thi đua") == "pho lu thi dua"


def test_fold_maps_capital_d_with_stroke():
    assert fold("ĐẢNG ỦY") == "dang uy"


def test_fold_maps_cp1252_eth_lookalike_to_d():
    assert fold("ðồng chí") == "dong chi"


def test_fold_makes_old_and_new_tone_placement_equal():
    assert fold("hoà") == fold("hòa") == "hoa"
