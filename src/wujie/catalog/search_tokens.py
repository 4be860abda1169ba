"""A tokenizer for mixed Chinese, Japanese, Korean and Latin product text.

Text is NFKC-normalised (full-width letters and digits become ASCII) and case-folded. Latin,
Cyrillic, digits and other space-delimited scripts give whole words; runs of CJK characters
(Han, Kana, Hangul), which have no spaces between words, give every character and every pair of
neighbouring characters, so ``华为手机`` matches ``华为`` and ``手机`` without a dictionary.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised, case-folded, with runs of whitespace collapsed and trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def tokenize(text: str) -> list[str]:
    """Return the search tokens of ``text`` in order (repeats kept).

    Examples
    --------
    >>> tokenize("Huawei 华为手机 Mate60")
    ['huawei', '华', '华为', '为', '为手', '手', '手机', '机', 'mate60']
    """
    tokens: list[str] = []
    for word in _WORD.findall(normalise(text)):
        position = 0
        for run in _CJK.finditer(word):
            if run.start() > position:
                tokens.append(word[position : run.start()])
            tokens.extend(_cjk_grams(run.group()))
            position = run.end()
        if position < len(word):
            tokens.append(word[position:])
    return tokens


def _cjk_grams(run: str) -> list[str]:
    grams: list[str] = []
    for n, char in enumerate(run):
        grams.append(char)
        if n + 1 < len(run):
            grams.append(run[n : n + 2])
    return grams
