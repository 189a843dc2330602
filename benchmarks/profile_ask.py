"""Where an answer's time goes: a pyinstrument profile of `Assistant.ask` over many questions.

    python -m benchmarks.profile_ask --factbook            # the bundled model over the cached Factbook index
    python -m benchmarks.profile_ask --growth 1000000      # the hashing embedder over a speed.py growth index

With `--factbook` each question is embedded anew (as a new question is); with `--growth` the questions'
vectors are computed ahead, as `speed.py` measures. The profile is printed as a call tree; the speed
notes in docs/speed.md quote it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
from benchmarks.harness import CACHE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factbook", action="store_true")
    parser.add_argument("--growth", type=int, metavar="PASSAGES")
    parser.add_argument("--questions", type=int, default=40)
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


if __name__ == "__main__":
    sys.exit(main())
