"""Pinyin readings for English names, e-mail local parts and same-sound typos.

pypinyin costs tens of microseconds per call, too slow to call per claim at a million claims,
so readings are memoised per run inside a Phonetics object (never at module level).
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin


class Phonetics:
    """Memoised pinyin plus a homophone table built from the characters a run uses."""

    def __init__(self, characters: Iterable[str]) -> None:
        self._char: dict[str, str] = {}
        self._text: dict[str, tuple[str, ...]] = {}
        by_sound: dict[str, list[str]] = {}
        for ch in dict.fromkeys(characters):  # keeps first-seen order, so runs are reproducible
            sound = self.char(ch)
            if sound.isascii() and sound.isalpha():
                by_sound.setdefault(sound, []).append(ch)
        self._homophones = {
            ch: tuple(o for o in group if o != ch)
            for group in by_sound.values()
            if len(group) > 1
            for ch in group
        }

    def char(self, ch: str) -> str:
        """Toneless reading of one character; a character pypinyin lacks comes back unchanged."""
        sound = self._char.get(ch)
        if sound is None:
            sound = lazy_pinyin(ch, style=Style.NORMAL)[0]
            self._char[ch] = sound
        return sound

    def syllables(self, text: str) -> tuple[str, ...]:
        """Readings of `text` in context (polyphones resolved by phrase), ASCII only."""
        cached = self._text.get(text)
        if cached is None:
            readings = lazy_pinyin(text, style=Style.NORMAL)
            cached = tuple(s for s in readings if s.isascii() and s.isalpha())
            self._text[text] = cached
        return cached

    def romanised(self, text: str) -> str:
        """'字节跳动' -> 'Zijie Tiaodong': syllables capitalised and paired as in English names."""
        sylls = self.syllables(text)
        words = ["".join(sylls[i : i + 2]) for i in range(0, len(sylls), 2)]
        return " ".join(w.capitalize() for w in words)

    def has_homophone(self, ch: str) -> bool:
        return ch in self._homophones

    def homophone(self, ch: str, rng: random.Random) -> str:
        """Another character with the same toneless reading (the typo an IME makes)."""
        return rng.choice(self._homophones[ch])

    def differs_in_sound(self, a: str, b: str) -> bool:
        return self.char(a) != self.char(b)
