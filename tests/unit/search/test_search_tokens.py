"""The CJK-aware tokenizer: exact tokens for Chinese, Japanese, Korean and Latin text."""

from __future__ import annotations

from wujie.catalog.search_tokens import normalise, tokenize


def test_chinese_runs_become_characters_and_bigrams() -> None:
    assert tokenize("华为手机") == ["华", "华为", "为", "为手", "手", "手机", "机"]


def test_latin_words_digits_and_mixed_scripts() -> None:
    assert tokenize("Huawei 华为Mate60, 5G!") == ["huawei", "华", "华为", "为", "mate60", "5g"]


def test_korean_and_japanese() -> None:
    assert tokenize("삼성 갤럭시") == ["삼", "삼성", "성", "갤", "갤럭", "럭", "럭시", "시"]
    assert tokenize("ソニー") == ["ソ", "ソニ", "ニ", "ニー", "ー"]


def test_full_width_and_case_are_normalised() -> None:
    assert tokenize("ＩＰＨＯＮＥ　１５") == ["iphone", "15"]
    assert normalise("  Apple\t\tiPhone  ") == "apple iphone"


def test_punctuation_only_gives_nothing() -> None:
    assert tokenize("!!! ... ——") == []
    assert tokenize("") == []
