"""Every answer to the fixed question sets, as JSON lines: to show that a change leaves answers as
they were (or to see exactly which it changed).

    python -m benchmarks.answers OUT.jsonl              # sample examples, Factbook questions, 400 SQuAD
    python -m benchmarks.answers OUT.jsonl --squad 0    # without SQuAD (needs only the Factbook index)
    cmp before.jsonl after.jsonl                         # byte for byte

Each line holds the question set, the question, its history and the whole answer as the API returns
it (less `index_version`, which names the generation and its build time). It reads the indexes
`benchmarks/quality.py` caches in `benchmarks/.cache/` and builds any that are missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
from benchmarks.harness import CACHE, ROOT, SHARED, cached_assistant, needs, real_embedder
from benchmarks.squad import build_corpus
from qa.assistant import Assistant
from qa.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--squad", type=int, default=200, help="random SQuAD questions per split (0: none)")
    args = parser.parse_args(argv)
    if not needs(SHARED):
        return 2
    settings = Settings.from_env()
    embedder = real_embedder()

    def assistant_for(name: str, corpus: Path) -> Assistant:
        return cached_assistant(name, corpus, embedder, settings)

    asked: list[tuple[str, Assistant, str, list[str]]] = []
    sample = assistant_for("sample", ROOT / "corpus")
    seeds = [json.loads(line) for line in (SHARED / "seed_examples.jsonl").read_text().splitlines() if line.strip()]
    asked += [("sample", sample, s["question"], list(s.get("history", []))) for s in seeds]
    factbook = assistant_for("factbook", SHARED / "factbook")
    asked += [("factbook", factbook, question, []) for question, _ in FACTBOOK_QUESTIONS]
    if args.squad:
        golds = build_corpus(SHARED / "squad2" / "dev-v2.0.json", CACHE / "squad" / "corpus")
        squad = assistant_for("squad", CACHE / "squad" / "corpus")
        rng = random.Random(29)
        for split in ("tune", "heldout"):
            chosen = rng.sample([g for g in golds if g.split == split], args.squad)
            asked += [(f"squad-{split}", squad, g.question, []) for g in chosen]
    lines = []
    for name, assistant, question, history in asked:
        answer = assistant.ask(question, history).model_dump(mode="json", exclude={"index_version"})
        lines.append(json.dumps({"set": name, "question": question, "history": history, "answer": answer}))
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(lines)} answers, sha256 {hashlib.sha256(text.encode()).hexdigest()} → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
