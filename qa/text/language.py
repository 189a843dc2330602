"""Which language a question is written in: py3langid's naive Bayes model (shipped inside its package, no
download), with English's own probability beside the likeliest language.

The briefings are English; a question in another language is answered with a message that says so and
names the language it seems to be in (`qa.assistant.facade`), under a threshold fitted on tune questions
(`readings.json`'s `language_threshold` and `english_below`: no English tune question is taken for
another language). Short
English questions ("And Egypt?") are mostly names, which are left out before the language is told; only a
confident other language counts.

Pure but for the model, loaded once on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sr": "Serbian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "zh": "Chinese",
}  # fmt: skip


@dataclass(frozen=True)
class Language:
    code: str  # the likeliest language (ISO 639-1)
    probability: float  # its probability
    english: float  # English's probability

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)


def without_names(text: str) -> str:
    """The question less its capitalised words but the first: names ("And Tanzania?") say nothing of the language
    a question is asked in, and short questions are mostly names."""
    words = text.split()
    return " ".join([words[0], *(w for w in words[1:] if not w[:1].isupper())]) if words else text


def language_of(text: str) -> Language:
    """The likeliest language of a question (its names left out), and English's probability."""
    ranked = _identifier().rank(without_names(text))
    code, probability = ranked[0]
    english = next((float(p) for c, p in ranked if c == "en"), 0.0)
    return Language(str(code), float(probability), english)


def other_language(text: str, threshold: float, english_below: float) -> Language | None:
    """The language a question is in when it is confidently another than English: that language at least
    `threshold` and English under `english_below`; else None."""
    found = language_of(text)
    sure = found.code != "en" and found.probability >= threshold and found.english < english_below
    return found if sure else None
