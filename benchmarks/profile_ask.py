"""Where an answer's time goes: a pyinstrument profile of `Assistant.ask` over many questions.

    python -m benchmarks.profile_ask --factbook            # the bundled model over the cached Factbook index
    python -m benchmarks.profile_ask --growth 1000000      # the hashing embedder over a speed.py growth index
    python -m benchmarks.profile_ask --factbook --answering --out docs/profiles/answering.txt

With `--answering` only the answering path is profiled (`Assistant.answer_from` over questions searched ahead,
each answered three times), and its median time is printed: what `docs/profiles/` holds, before and after.

With `--factbook` each question is embedded anew (as a new question is); with `--growth` the questions'
vectors are computed ahead, as `speed.py` measures. The profile is printed as a call tree; the speed
notes in docs/speed.md quote it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import CACHE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factbook", action="store_true")
    parser.add_argument("--growth", type=int, metavar="PASSAGES")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--answering", action="store_true", help="profile answering alone (searched ahead)")
    parser.add_argument("--out", type=Path, help="write the profile here as well")
    args = parser.parse_args()
    import pyinstrument

    from qa.assistant import Assistant
    from qa.index.embedding import HashingEmbedder, make_embedder
    from qa.settings import Settings

    if args.factbook:
        from benchmarks.fixed_questions import FACTBOOK_QUESTIONS

        settings = Settings.from_env()
        assistant = Assistant.open(
            CACHE / "factbook" / "index",
            embedder=make_embedder(settings.model, settings.batch_size, 1),
            settings=settings,
        )
        questions = [q for q, _ in FACTBOOK_QUESTIONS][: args.questions + 5]
        fresh = True
    elif args.growth:
        assistant = Assistant.open(
            CACHE / "growth" / str(args.growth),
            embedder=HashingEmbedder(384, model_id="hashing:384"),
            settings=Settings(model="hashing:384"),
        )
        generation, rng = assistant.generation, random.Random(7)
        questions = []
        for _ in range(args.questions + 5):
            s = generation.sentences[rng.randrange(len(generation.sentences))]
            words = generation.documents[s.doc].text[s.start : s.end].rstrip(".").split()
            questions.append("What about " + " ".join(rng.sample(words, min(5, len(words)))) + "?")
        assistant.prime(questions)
        fresh = False
    else:
        parser.error("choose --factbook or --growth PASSAGES")
    for question in questions[:5]:  # warm: the first answers load what later ones find ready
        assistant.ask(question)
    if args.answering:
        return profile_answering(assistant, questions[5:], args.out)
    profiler = pyinstrument.Profiler(interval=0.0005)
    profiler.start()
    for question in questions[5:]:
        if fresh:
            assistant.encoder.forget()  # embedded anew, as a new question is
        assistant.ask(question)
    profiler.stop()
    print(f"{len(questions) - 5} questions")
    print(profiler.output_text(unicode=False, color=False))
    return 0


def profile_answering(assistant: Any, questions: list[str], out: Path | None) -> int:
    """Answering alone: each question searched once, its retrieval answered three times (timed bare, then under
    the profiler); the median time and the profile printed, and written to `out`."""
    import pyinstrument

    retrievals = [assistant.search(q) for q in questions]
    for r in retrievals:
        assistant.answer_from(r)
    times = []
    for _ in range(3):
        for r in retrievals:
            started = time.perf_counter()
            assistant.answer_from(r)
            times.append(time.perf_counter() - started)
    profiler = pyinstrument.Profiler(interval=0.0005)
    profiler.start()
    for r in retrievals:
        assistant.answer_from(r)
    profiler.stop()
    head = (
        f"answering alone, {len(retrievals)} questions each answered 3 times: p50 "
        f"{statistics.median(times) * 1000:.1f} ms (without the profiler)"
    )
    text = head + "\n" + profiler.output_text(unicode=False, color=False)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
