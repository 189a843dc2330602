"""Fit the learned reader (`qa/index/reader.py`) on tune data only, and write `qa/index/reader.npz` and
`reader.json`.

    python -m benchmarks.reader_groups     # first: the candidate sentences of every tune and held-out question
    python -m benchmarks.fit_reader        # fits on the tune rows' "train" fold, chooses the blend on "choose"

The reader is the bundled MiniLM read as a cross-encoder: the question and a candidate's text (`reader_text`)
as one pair of segments, its token vectors mean-pooled, a linear head on top. Only a low-rank adapter (LoRA,
by `peft`, on the query, key and value maps of every layer) and the head are trained; what ships is those few
matrices in float16, merged into the bundled weights when the reader is loaded, so neither `peft` nor a second
copy of the model is needed to answer.

Training: the "train" fold of the tune rows (SQuAD 2.0 dev tune articles, two in three; Factbook tune countries,
two in three), each question's best `GROUP` sentences by today's score as one group with at least one sentence
holding the answer and one not; the loss is the listwise one (the log of the softmax mass on the right ones).
Choosing: on the "choose" fold (the other tune articles and countries, never trained on), the number of sentences
re-ranked and the reader's weight in the blend (`qa.answering.reader.blended`) that make the first sentence right
most often. Held-out rows are never read here (`python -m benchmarks.reader_eval` reports them).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.reader_groups import OUT
from qa.answering.features import Scored
from qa.answering.reader import Blend, blended
from qa.index.embedding import resolve_model_path
from qa.index.reader import (
    FORMAT_VERSION,
    READER_FILE,
    ReaderConfig,
    ReaderFile,
    pair_logits,
)
from qa.records import Hit
from qa.settings import DEFAULT_MODEL

GROUP = 5  # sentences a training group
FACTBOOK_GROUPS = 800
EPOCHS = 2
BATCH = 8  # groups a step
RANK = 8  # the adapter's rank (its scale alpha is twice that)
TARGETS = ("query", "key", "value")
LEARNING_RATE = 5e-4
RECIPE = ("rank", "targets", "epochs", "learning_rate")  # the options the shipped file's command records
MAX_TOKENS = 128
TOPS = (2, 3, 4, 5)
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
SEED = 13


def read_rows(split: str) -> list[dict]:  # type: ignore[type-arg]
    path = OUT / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def training_groups(rows: list[dict]) -> list[tuple[str, list[str], list[bool]]]:  # type: ignore[type-arg]
    """Each row's best `GROUP` sentences with one right and one wrong at least; at most `FACTBOOK_GROUPS` of the
    Factbook's (its many wordings of a few fields would otherwise outweigh SQuAD's prose)."""
    out: dict[str, list[tuple[str, list[str], list[bool]]]] = {"squad": [], "factbook": []}
    for r in rows:
        texts, labels = r["texts"][:GROUP], r["labels"][:GROUP]
        if any(labels) and not all(labels):
            out[r["source"]].append((r["question"], texts, labels))
    rng = random.Random(SEED)
    return out["squad"] + rng.sample(out["factbook"], min(FACTBOOK_GROUPS, len(out["factbook"])))


def build(config: ReaderConfig):  # type: ignore[no-untyped-def]
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel, AutoTokenizer

    directory = resolve_model_path(DEFAULT_MODEL)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    encoder = AutoModel.from_pretrained(directory)
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, target_modules=list(config.targets), lora_dropout=0.0)
    encoder = get_peft_model(encoder, lora)
    head = torch.nn.Linear(encoder.config.hidden_size, 1)
    torch.nn.init.zeros_(head.weight)
    torch.nn.init.zeros_(head.bias)
    return tokenizer, encoder, head


def scores_of(tokenizer, encoder, head, question: str, texts: list[str]):  # type: ignore[no-untyped-def]
    return pair_logits(tokenizer, encoder, head, question, texts, MAX_TOKENS)


def train(  # type: ignore[no-untyped-def]
    groups: list[tuple[str, list[str], list[bool]]], config: ReaderConfig, threads: int, epochs: int, rate: float
):
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(threads)
    tokenizer, encoder, head = build(config)
    parameters = [p for p in encoder.parameters() if p.requires_grad] + list(head.parameters())
    optimiser = torch.optim.AdamW(parameters, lr=rate, weight_decay=0.0)
    steps = epochs * math.ceil(len(groups) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: max(0.0, 1.0 - s / steps))
    rng = random.Random(SEED)
    encoder.train()
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        order = list(range(len(groups)))
        rng.shuffle(order)
        running = []
        for first in range(0, len(order), BATCH):
            loss = torch.zeros(())
            for g in order[first : first + BATCH]:
                question, texts, labels = groups[g]
                logits = scores_of(tokenizer, encoder, head, question, texts)
                right = torch.tensor(labels)
                loss = loss + torch.logsumexp(logits, 0) - torch.logsumexp(logits[right], 0)
            loss = loss / len(order[first : first + BATCH])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            running.append(float(loss))
            if step % 25 == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"epoch {epoch + 1} step {step}/{steps} loss {np.mean(running[-25:]):.3f} "
                    f"({elapsed:.0f} s, about {elapsed / step * (steps - step):.0f} s left)",
                    file=sys.stderr,
                    flush=True,
                )
    encoder.eval()
    return tokenizer, encoder, head


def adapter_arrays(encoder, head) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """The trained matrices by name, in float16: `{module path under the encoder}.a` / `.b` (for example
    `layer.0.attention.self.query.a`), and the head's."""
    arrays: dict[str, np.ndarray] = {}
    for name, module in encoder.named_modules():
        # the pooler's map is adapted by name too, but mean pooling never reads it: only the encoder's are kept
        if hasattr(module, "lora_A") and "default" in getattr(module, "lora_A", {}) and ".encoder." in name:
            path = name.split(".encoder.", 1)[1]
            arrays[f"{path}.a"] = module.lora_A["default"].weight.detach().numpy().astype(np.float16)
            arrays[f"{path}.b"] = module.lora_B["default"].weight.detach().numpy().astype(np.float16)
    arrays["head.weight"] = head.weight.detach().numpy().astype(np.float16)
    arrays["head.bias"] = head.bias.detach().numpy().astype(np.float16)
    return arrays


def first_right(rows: list[dict], reader_scores: list[list[float]], blend: Blend) -> float:  # type: ignore[type-arg]
    """The share of rows whose first sentence holds the answer once the reader's scores are blended in."""
    right = 0
    for r, scores in zip(rows, reader_scores, strict=True):
        scored = [_scored(i, s) for i, s in enumerate(r["scores"])]
        order = blended(scored, scores[: blend.top], blend)
        right += bool(r["labels"][order[0].sid]) if order else 0
    return right / len(rows) if rows else 0.0


def _scored(i: int, score: float) -> Scored:
    return Scored(
        sid=i, score=score, cosine=0.0, overlap=0.0, passage_score=0.0, phrase=None, hit=Hit(pid=0, score=0.0)
    )


def choose(rows: list[dict], reader_scores: list[list[float]]) -> tuple[Blend, dict[str, float]]:  # type: ignore[type-arg]
    """The blend that makes the first sentence right most often on `rows` (the fewest sentences and the
    smallest weight among ties)."""
    table = {(top, weight): first_right(rows, reader_scores, Blend(top, weight)) for top in TOPS for weight in WEIGHTS}
    (top, weight), best = max(table.items(), key=lambda kv: (round(kv[1], 6), -kv[0][0], -kv[0][1]))
    return Blend(top, weight), {
        "chosen_first_right": round(best, 4),
        "today_first_right": round(table[(TOPS[0], 0.0)], 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="train on this many groups only (a quick trial)")
    parser.add_argument("--rank", type=int, default=RANK)
    parser.add_argument("--targets", default=",".join(TARGETS), help="the linear maps adapted, by name")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE)
    parser.add_argument("--out", type=Path, default=READER_FILE, help="where reader.json goes (reader.npz beside it)")
    args = parser.parse_args(argv)
    rows = read_rows("tune")
    train_rows = [r for r in rows if r["fold"] == "train"]
    choose_rows = [r for r in rows if r["fold"] == "choose"]
    groups = training_groups(train_rows)
    if args.limit:
        groups = random.Random(SEED).sample(groups, min(args.limit, len(groups)))
        choose_rows = choose_rows[:: max(1, len(choose_rows) // args.limit)]
    config = ReaderConfig(
        rank=args.rank, alpha=2 * args.rank, targets=tuple(args.targets.split(",")), max_tokens=MAX_TOKENS
    )
    print(
        f"{len(groups)} training groups of {len(train_rows)} tune questions; choosing on {len(choose_rows)}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    tokenizer, encoder, head = train(groups, config, args.threads, args.epochs, args.learning_rate)
    trained_s = time.perf_counter() - started
    arrays = adapter_arrays(encoder, head)

    import torch

    with torch.no_grad():
        reader_scores = [
            [float(x) for x in scores_of(tokenizer, encoder, head, r["question"], r["texts"][: max(TOPS)])]
            for r in choose_rows
        ]
    blend, scores = choose(choose_rows, reader_scores)
    for source in ("squad", "factbook"):
        mine = [(r, s) for r, s in zip(choose_rows, reader_scores, strict=True) if r["source"] == source]
        rs, ss = [r for r, _ in mine], [s for _, s in mine]
        scores[f"{source}_today_first_right"] = round(first_right(rs, ss, Blend(blend.top, 0.0)), 4)
        scores[f"{source}_chosen_first_right"] = round(first_right(rs, ss, blend), 4)
    print(f"chosen: re-rank the best {blend.top}, weight {blend.weight}; {scores}", file=sys.stderr)
    arrays_path = args.out.with_suffix(".npz")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(arrays_path, **arrays)
    data = ReaderFile(
        format_version=FORMAT_VERSION,
        fitted_on="SQuAD 2.0 dev tune articles and Factbook tune countries (benchmarks/reader_groups.py folds): "
        "trained on the 'train' fold, the blend chosen on the 'choose' fold; never a held-out question",
        command="python -m benchmarks.fit_reader"
        + "".join(f" --{k.replace('_', '-')} {v}" for k, v in sorted(vars(args).items()) if k in RECIPE),
        model=DEFAULT_MODEL,
        config=config,
        top=blend.top,
        weight=blend.weight,
        scores={**scores, "training_groups": float(len(groups)), "training_seconds": round(trained_s, 1)},
    )
    args.out.write_text(json.dumps(data.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {arrays_path} ({arrays_path.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
