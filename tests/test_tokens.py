"""The tokenizer under threads: the web app answers several questions at once."""

import sys
from concurrent.futures import ThreadPoolExecutor

from qa.text.tokens import stem, tokenize

WORDS = [
    f"{root}{ending}"
    for root in ("nation", "connect", "run", "happi", "relat", "general", "organ", "agricultur", "suppl", "export")
    for ending in ("", "s", "ing", "ed", "ation", "ational", "ness", "ly", "izing", "ities")
]


def test_stemming_in_several_threads_at_once_gives_the_single_thread_stems() -> None:
    # bypass the cache, and switch threads as often as the interpreter allows, so that two threads are
    # inside the stemmer at once many times: a shared Snowball stemmer raised IndexError here
    uncached = stem.__wrapped__
    expected = [uncached(w) for w in WORDS] * 60
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: [uncached(w) for w in WORDS * 60], range(8)))
    finally:
        sys.setswitchinterval(interval)
    assert all(r == expected for r in results)


def test_tokenize_folds_accents_drops_stop_words_and_stems() -> None:
    assert tokenize("What supplies does São Paulo export?") == ["suppli", "sao", "paulo", "export"]


def test_kept_token_sets_and_first_tokens_are_what_tokenize_gives() -> None:
    from qa.text.tokens import first_token, token_set

    for text in ("Rents rose after the war.", "Côte d’Ivoire supplies cocoa", "", "the of and"):
        assert token_set(text) == frozenset(tokenize(text))
        assert token_set(text) == frozenset(tokenize(text))  # the kept one, asked again
    assert first_token("Supplies") == "suppli" and first_token("the") is None


def test_the_compiled_stemmer_in_use_gives_the_pure_python_stemmers_stems() -> None:
    """Oracle: the Snowball English stemmer as compiled (PyStemmer, what `stem` uses once it is installed) against
    the pure-Python one, over every word of the sample corpus and of the Factbook profiles where they are here."""
    import re
    from pathlib import Path

    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    from qa.text.tokens import _stemmer, fold

    assert isinstance(_stemmer(), Stemmer.Stemmer)
    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for p in (root / "corpus").glob("*.txt")]
    factbook = root.parent / "shared" / "eval" / "factbook"
    texts += [p.read_text(encoding="utf-8") for p in sorted(factbook.rglob("*.md"))[:20]] if factbook.is_dir() else []
    words = sorted({w for text in texts for w in re.findall(r"[a-z0-9]+", fold(text))} | set(WORDS))
    assert len(words) > (500 if factbook.is_dir() else 300)  # the sample alone holds about 340 distinct words
    python = EnglishStemmer()
    assert [_stemmer().stemWord(w) for w in words] == [python.stemWord(w) for w in words]
