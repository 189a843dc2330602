"""Answer-quality benchmark: SQuAD 2.0 dev in the open-corpus setting, the sample briefing's
examples, and questions of our own over the CIA Factbook profiles.

    python -m benchmarks.quality                 # everything; writes docs/quality.md, the PNG, the README headline
    python -m benchmarks.quality --split tune --limit 800 --no-write     # a quick look while tuning
    python -m benchmarks.quality --extra-only    # only the sample and Factbook tables (no SQuAD run)

Every number comes from the product's own code path (`Assistant.search` then `answer_from`); the
baselines and ablations re-use the same retrieval and cached vectors with one part changed.
Tune on the tune split only; the held-out split is the headline and is never used to choose.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.calibration import auroc, expected_calibration_error
from benchmarks.fixed_questions import FACTBOOK_QUESTIONS
from benchmarks.harness import CACHE, DOCS, ROOT, SHARED, cached_assistant, real_embedder
from benchmarks.report import update_results, write_headline
from benchmarks.squad import Gold, build_corpus, contains_answer, exact_match, f1
from qa.answering.pipeline import rank_passages
from qa.answering.weights import SELECTION_FEATURES, Weights
from qa.assistant import Assistant, Retrieval
from qa.assistant.retrieve import answering_inputs
from qa.records import Answer
from qa.search.retrieval import fuse
from qa.settings import Settings

OUT = DOCS  # the full tables and the curve; the headline goes to benchmarks/results.json and the README
KS = (1, 5, 20)


@dataclass
class Tally:
    """Counts for one configuration on one split."""

    answerable: int = 0
    unanswerable: int = 0
    hit: int = 0
    short_given: int = 0
    em: float = 0.0
    f1: float = 0.0
    answered: int = 0
    abstained_unanswerable: int = 0
    curve: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, hit) on answerable
    refused: list[float] = field(default_factory=list)  # confidence on unanswerable

    def add(self, gold: Gold, answer: Answer, threshold: float) -> None:
        if gold.answerable:
            self.answerable += 1
            first = answer.citations[0].quote if answer.citations else ""
            is_hit = contains_answer(first, gold.answers)
            self.hit += is_hit
            self.curve.append((answer.confidence, is_hit))
            if answer.confidence >= threshold:
                self.answered += 1
            if answer.short_answer:
                self.short_given += 1
                self.em += exact_match(answer.short_answer, gold.answers)
                self.f1 += f1(answer.short_answer, gold.answers)
        else:
            self.unanswerable += 1
            self.refused.append(answer.confidence)
            if answer.confidence < threshold:
                self.abstained_unanswerable += 1


OPERATING_POINTS = (0.1, 0.25, 0.3, 0.35)


def ratio(a: float, b: int) -> str:
    return f"{a / b:.3f}" if b else "–"


def passage_rank(retrieval: Retrieval, ranking: Sequence[int], gold: Gold, doc_index: int) -> int | None:
    passages = retrieval.generation.passages
    for rank, pid in enumerate(ranking):
        p = passages[pid]
        if p.doc == doc_index and any(p.start <= s and e <= p.end for s, e in gold.spans):
            return rank
    return None


def reranked(assistant: Assistant, retrieval: Retrieval) -> list[int]:
    """The passage order answering uses: the top `rerank_depth` fused passages re-ranked, then the rest."""
    depth = assistant.settings.passages_read
    _, order = rank_passages(
        answering_inputs(retrieval, assistant.encoder, assistant.settings, assistant.weights), depth, assistant.weights
    )
    return [h.pid for h in order] + [h.pid for h in retrieval.hits[depth:]]


def first_sentence_answer(retrieval: Retrieval) -> Answer:
    """Baseline: quote the first sentence of the top fused passage."""
    generation = retrieval.generation
    if not retrieval.hits:
        return Answer(question="", text="", abstained=True, confidence=0.0)
    passage = generation.passages[retrieval.hits[0].pid]
    sentence = generation.sentences[passage.first_sentence]
    document = generation.documents[sentence.doc]
    from qa.records import Citation

    citation = Citation(
        n=1, doc_id=document.doc_id, title=document.title, date=document.date, source=document.source,
        quote=document.text[sentence.start : sentence.end], start=sentence.start, end=sentence.end, score=0.0,
    )  # fmt: skip
    return Answer(question="", text="", abstained=False, confidence=1.0, citations=[citation])


def with_hits(retrieval: Retrieval, which: str, settings: Settings) -> Retrieval:
    dense = retrieval.dense if which != "lexical" else []
    lexical = retrieval.lexical if which != "dense" else []
    return replace(retrieval, hits=fuse(dense, lexical, settings.rrf_k))


NO_CHECKS = "− negation and number checks (confidence)"
NO_OPPOSITES = "− opposite-word check (confidence)"
# rows whose abstention differs from the full system's: the table shows their answered / abstained shares
ABSTENTION_ROWS = ("full system", NO_CHECKS, NO_OPPOSITES)


def without_checks(weights: Weights, checks: tuple[str, ...] = ("negation_mismatch", "number_mismatch")) -> Weights:
    """The confidence model with some checks switched off (by default the negated-question and
    question-number checks)."""
    return weights.without_confidence(*checks)


def configurations(settings: Settings, base: Weights) -> dict[str, Callable[[Assistant, Retrieval], Answer]]:
    """The full system, its ablations (one part off each) and the answer baselines."""

    def scored(weights: Weights, hits: str = "fused") -> Callable[[Assistant, Retrieval], Answer]:
        def run(assistant: Assistant, retrieval: Retrieval) -> Answer:
            if hits != "fused":
                retrieval = with_hits(retrieval, hits, settings)
            return assistant.answer_from(retrieval, weights=weights, abstain_below=0.0)

        return run

    return {
        "full system": scored(base),
        "− sentence cosine": scored(base.without("cosine", groups=("selection",))),
        "− word overlap": scored(base.without("overlap", groups=("selection",))),
        "− context overlap (a sentence that refers back)": scored(
            base.without("context_overlap", groups=("selection",))
        ),
        "− passage re-ranker (fused order)": scored(replace(base, rerank_weights={})),
        "− passage rank prior": scored(base.without("passage", groups=("selection",))),
        "− answer-type match": scored(base.without("answer_type", groups=("selection",))),
        "− word match (input-table piece vectors)": scored(base.without_word_match()),
        "− BM25 (dense retrieval only)": scored(base, "dense"),
        "− dense (BM25 retrieval only)": scored(base, "lexical"),
        NO_CHECKS: scored(without_checks(base)),
        NO_OPPOSITES: scored(without_checks(base, ("opposite_mismatch",))),
        "baseline: best-cosine sentence of top-5 fused": scored(
            replace(
                base,
                rerank_weights={},
                selection_weights={name: 1.0 if name == "cosine" else 0.0 for name in SELECTION_FEATURES},
            )
        ),
        "baseline: first sentence of top fused passage": lambda a, r: first_sentence_answer(r),
    }


def squad(assistant: Assistant, golds: list[Gold], settings: Settings, ablations: bool) -> dict[str, object]:
    generation = assistant.generation
    doc_index = generation.doc_by_id
    threshold = assistant.abstain_below  # the prose threshold: no SQuAD article is a field profile
    configs = configurations(settings, assistant.weights)
    if not ablations:
        configs = {"full system": configs["full system"]}
    splits = sorted({g.split for g in golds}, key=lambda s: s != "heldout")
    recall: dict[str, dict[str, list[int]]] = {
        s: {m: [0] * len(KS) for m in ("dense", "lexical", "fused", "reranked")} for s in splits
    }
    tallies: dict[str, dict[str, Tally]] = {s: {name: Tally() for name in configs} for s in splits}
    counted: dict[str, int] = dict.fromkeys(splits, 0)
    started = time.perf_counter()
    for i, gold in enumerate(golds):
        retrieval = assistant.search(gold.question)
        if gold.answerable:
            counted[gold.split] += 1
            rankings = {
                "dense": [pid for pid, _ in retrieval.dense],
                "lexical": [pid for pid, _ in retrieval.lexical],
                "fused": [h.pid for h in retrieval.hits],
                "reranked": reranked(assistant, retrieval),
            }
            for method, ranking in rankings.items():
                rank = passage_rank(retrieval, ranking, gold, doc_index[gold.doc_id])
                for j, k in enumerate(KS):
                    recall[gold.split][method][j] += rank is not None and rank < k
        for name, run in configs.items():
            tallies[gold.split][name].add(gold, run(assistant, retrieval), threshold)
        if (i + 1) % 500 == 0:
            print(f"  {i + 1}/{len(golds)} questions, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {"recall": recall, "tallies": tallies, "counted": counted, "threshold": threshold}


def squad_tables(result: dict[str, object]) -> str:
    recall = result["recall"]  # type: ignore[assignment]
    tallies = result["tallies"]  # type: ignore[assignment]
    counted = result["counted"]  # type: ignore[assignment]
    lines: list[str] = []
    for split in tallies:  # type: ignore[attr-defined]
        n = counted[split]  # type: ignore[index]
        label = "held-out (headline)" if split == "heldout" else "tune"
        first = tallies[split]["full system"]  # type: ignore[index]
        lines += [
            f"#### SQuAD 2.0 dev, open corpus — {label} split: {first.answerable} answerable, {first.unanswerable} unanswerable",
            "",
            "| retrieval | passage recall@1 | recall@5 | recall@20 |",
            "|---|---|---|---|",
        ]
        methods = [
            ("dense", "dense only"),
            ("lexical", "BM25 only"),
            ("fused", "dense + BM25, RRF"),
            ("reranked", "RRF top 20, re-ranked by their sentences (ours)"),
            ("fused-packed", "dense + BM25, 90-word packed passages (no paragraph alignment)"),
        ]
        for method, label_m in methods:
            if method not in recall[split]:  # type: ignore[index]
                continue
            values = recall[split][method]  # type: ignore[index]
            lines.append(f"| {label_m} | " + " | ".join(ratio(v, n) for v in values) + " |")
        lines += [
            "",
            "| answers | answer-sentence hit@1 | short answers given | short EM | short F1 | answerable answered | unanswerable abstained |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, t in tallies[split].items():  # type: ignore[index]
            answered = ratio(t.answered, t.answerable) if name in ABSTENTION_ROWS else "–"
            abstained = ratio(t.abstained_unanswerable, t.unanswerable) if name in ABSTENTION_ROWS else "–"
            lines.append(
                f"| {name} | {ratio(t.hit, t.answerable)} | {ratio(t.short_given, t.answerable)} | "
                f"{ratio(t.em, t.short_given)} | {ratio(t.f1, t.short_given)} | {answered} | {abstained} |"
            )
        lines += [
            "",
            *operating_points(first, float(result["threshold"])),
            "",
            trust_line(first, float(result["threshold"])),
            "",
        ]  # type: ignore[arg-type]
    return "\n".join(lines)


def trust_points(tally: Tally) -> list[tuple[float, bool]]:
    """(confidence, the first quote holds the answer) for every question; an unanswerable one is never right."""
    return [*tally.curve, *((c, False) for c in tally.refused)]


def answered_right(tally: Tally, threshold: float) -> float:
    """The share of answerable questions answered (at `threshold`) with the answer in the first quote."""
    return sum(hit for c, hit in tally.curve if c >= threshold) / max(1, tally.answerable)


def trust_line(tally: Tally, threshold: float) -> str:
    points = trust_points(tally)
    area = auroc(points)
    return (
        f"Answerable questions answered with the answer in the first quote: {answered_right(tally, threshold):.3f}. "
        f"Confidence against 'the first quote holds the answer' (unanswerable questions count as wrong): calibration "
        f"error {expected_calibration_error(points):.3f}, AUROC {'–' if area is None else f'{area:.3f}'}."
    )


def operating_points(tally: Tally, default: float) -> list[str]:
    """What `QA_ABSTAIN_BELOW` trades: answered, refused and accuracy at a few fixed thresholds."""
    lines = [
        "| abstention threshold | answerable answered | unanswerable abstained | hit@1 among answered |",
        "|---|---|---|---|",
    ]
    for threshold in sorted({default, *OPERATING_POINTS}):
        kept = [hit for confidence, hit in tally.curve if confidence >= threshold]
        refused = sum(1 for confidence in tally.refused if confidence < threshold)
        label = f"{threshold:g} (default)" if threshold == default else f"{threshold:.2f}"
        lines.append(
            f"| {label} | {ratio(len(kept), tally.answerable)} | {ratio(refused, tally.unanswerable)} | "
            f"{ratio(sum(kept), len(kept))} |"
        )
    return lines


def plot_curve(result: dict[str, object], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tallies = result["tallies"]  # type: ignore[assignment]
    threshold = float(result["threshold"])  # type: ignore[arg-type]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    for split, style in (("heldout", "-"), ("tune", "--")):
        if split not in tallies:  # type: ignore[operator]
            continue
        points = sorted(tallies[split]["full system"].curve, key=lambda p: -p[0])  # type: ignore[index]
        hits = 0
        xs, ys = [], []
        for i, (_, hit) in enumerate(points, start=1):
            hits += hit
            xs.append(i / len(points))
            ys.append(hits / i)
        ax.plot(xs, ys, style, label=f"{split} split")
        at = sum(1 for c, _ in points if c >= threshold) / max(1, len(points))
        ax.axvline(at, color="grey", linewidth=0.6, linestyle=":")
    ax.set_xlabel("coverage: share of answerable questions answered")
    ax.set_ylabel("answer-sentence hit@1 among answered")
    ax.set_title(f"Coverage vs accuracy as the abstention threshold moves (default {threshold:g}: dotted)")
    ax.title.set_fontsize(8)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --- the sample briefing and the Factbook ------------------------------------------------------


def seed_and_factbook(assistant_for: Callable[[str, Path], Assistant]) -> tuple[str, dict[str, dict[str, object]]]:
    """The sample briefing's and the Factbook tables, and their counts for the headline."""
    lines = [
        "#### The sample briefing (`seed_examples.jsonl`)",
        "",
        "| question | expected | got | ok |",
        "|---|---|---|---|",
    ]
    seeds = [json.loads(line) for line in (SHARED / "seed_examples.jsonl").read_text().splitlines() if line.strip()]
    sample = assistant_for("sample", ROOT / "corpus")
    ok_total = 0
    for example in seeds:
        answer = sample.ask(example["question"], example.get("history", []))
        if example["answerable"]:
            ok = not answer.abstained and any(e in answer.text for e in example["expect"])
            got = answer.short_answer or (answer.citations[0].quote[:70] + "…")
        else:
            ok = answer.abstained
            got = "abstained" if answer.abstained else answer.citations[0].quote[:70]
        ok_total += ok
        q = example["question"] if not example.get("history") else f"{example['history'][-1]} → {example['question']}"
        lines.append(f"| {q} | {', '.join(example['expect']) or 'abstain'} | {got} | {'✓' if ok else '✗'} |")
    lines += ["", f"{ok_total}/{len(seeds)} correct.", ""]

    factbook = assistant_for("factbook", SHARED / "factbook")
    lines += [
        "#### Our questions over the 82 Factbook profiles",
        "",
        "| question | expected in the first quote (or its field) | got | ok |",
        "|---|---|---|---|",
    ]
    good = 0
    confidences: dict[bool, list[float]] = {True: [], False: []}  # by "a profile holds the answer"
    for question, expected in FACTBOOK_QUESTIONS:
        answer = factbook.ask(question)
        ok = factbook_ok(answer, expected)
        got = "abstained" if answer.abstained else f"{answer.citations[0].doc_id}: {answer.citations[0].quote[:60]}"
        good += ok
        confidences[expected is not None].append(answer.confidence)
        lines.append(
            f"| {question} | {expected or 'abstain (no profile)'} | {got.replace('|', '/')} | {'✓' if ok else '✗'} |"
        )
    lines += [
        "",
        f"{good}/{len(FACTBOOK_QUESTIONS)} correct.",
        f"Confidence: at least {min(confidences[True]):.2f} where a profile holds the answer, at most "
        f"{max(confidences[False]):.2f} where none does (abstention thresholds {factbook.thresholds}).",
    ]
    base = factbook.weights
    retrievals = [(factbook.search(question), expected) for question, expected in FACTBOOK_QUESTIONS]
    for label, weights in (
        ("without the heading match", base.without("heading")),
        ("without the field match (the question against the field path, by the model)", base.without("field_match")),
        ("without the field's first line", base.without("field_first")),
        ("without the list feature", base.without("list_field")),
        ("without the label match", base.without("label")),
        ("without the about-the-entity feature", base.without("about")),
        ("without the field-mismatch and partner checks (confidence)", base.without_confidence("field_mismatch", "partner_only")),
        ("with none of these", base.without("heading", "field_match", "field_first", "list_field", "label", "about",
                                            "field_mismatch", "partner_only")),
    ):  # fmt: skip
        count = sum(
            factbook_ok(factbook.answer_from(retrieval, weights=weights), expected)
            for retrieval, expected in retrievals
        )
        lines.append(f"{label.capitalize()}: {count}/{len(FACTBOOK_QUESTIONS)}.")
    lines.append("")
    today = time.strftime("%Y-%m-%d")
    counts: dict[str, dict[str, object]] = {
        "sample": {"measured": today, "right": ok_total, "total": len(seeds)},
        "factbook": {"measured": today, "right": good, "total": len(FACTBOOK_QUESTIONS)},
    }
    return "\n".join(lines), counts


def factbook_ok(answer: Answer, expected: str | None) -> bool:
    """Abstained when no profile holds the answer; else the first quote (or its field name) holds `expected`."""
    if expected is None:
        return answer.abstained
    first = answer.citations[0] if answer.citations and not answer.abstained else None
    return first is not None and (expected in first.quote or expected.lower() in first.section.lower())


_EXTRA_START = "#### The sample briefing"


def replace_extra(text: str, extra: str, end: str) -> str:
    """`text` with its sample and Factbook tables (from their heading up to `end`) replaced by `extra`."""
    if _EXTRA_START not in text or end not in text:
        raise ValueError("no sample and Factbook tables to replace: run the full benchmark first")
    before, rest = text.split(_EXTRA_START, 1)
    _, after = rest.split(end, 1)
    return f"{before}{extra}{end}{after}"


def extra_only(assistant_for: Callable[[str, Path], Assistant], write: bool) -> int:
    extra, counts = seed_and_factbook(assistant_for)
    print(extra)
    if write:
        report = OUT / "quality.md"
        report.write_text(replace_extra(report.read_text(encoding="utf-8"), extra, "\n![coverage]"), encoding="utf-8")
        for part, values in counts.items():
            results = update_results(part, values)
        write_headline(results)
    return 0


def squad_headline(result: dict[str, object]) -> dict[str, object]:
    """The held-out numbers the README's headline table shows."""
    full: Tally = result["tallies"]["heldout"]["full system"]  # type: ignore[index]
    recall = result["recall"]["heldout"]["reranked"]  # type: ignore[index]
    n = result["counted"]["heldout"]  # type: ignore[index]
    return {
        "measured": time.strftime("%Y-%m-%d"),
        "answerable": full.answerable,
        "unanswerable": full.unanswerable,
        "recall_at_5": round(recall[KS.index(5)] / n, 3),
        "hit_at_1": round(full.hit / full.answerable, 3),
        "answered": round(full.answered / full.answerable, 3),
        "abstained": round(full.abstained_unanswerable / full.unanswerable, 3),
        "short_given": round(full.short_given / full.answerable, 3),
        "short_f1": round(full.f1 / full.short_given, 3) if full.short_given else None,
        "answered_right": round(answered_right(full, float(result["threshold"])), 3),  # type: ignore[arg-type]
        "calibration_error": round(expected_calibration_error(trust_points(full)), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["tune", "heldout", "both"], default="both")
    parser.add_argument("--limit", type=int, default=0, help="random questions per split (0: all)")
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--skip-extra", action="store_true", help="skip the sample and Factbook tables")
    parser.add_argument(
        "--extra-only",
        action="store_true",
        help="re-measure only the sample and Factbook tables and replace them in place (SQuAD has no headings, "
        "so rules for documents with headings leave its tables as they are)",
    )
    args = parser.parse_args(argv)

    dev = SHARED / "squad2" / "dev-v2.0.json"
    if not dev.is_file():
        print(
            f"SQuAD data not found at {dev}: this benchmark needs ../shared/eval beside the project.", file=sys.stderr
        )
        return 2
    settings = Settings.from_env()
    embedder = real_embedder()

    def assistant_for(name: str, corpus: Path, own: Settings | None = None) -> Assistant:
        return cached_assistant(name, corpus, embedder, own or settings)

    if args.extra_only:
        return extra_only(assistant_for, not args.no_write)
    golds = build_corpus(dev, CACHE / "squad" / "corpus")
    if args.split != "both":
        golds = [g for g in golds if g.split == args.split]
    if args.limit:
        rng = random.Random(13)
        golds = [g for split in ("tune", "heldout") for g in rng.sample(
            [x for x in golds if x.split == split], min(args.limit, sum(x.split == split for x in golds)))]  # fmt: skip
    assistant = assistant_for("squad", CACHE / "squad" / "corpus")
    started = time.perf_counter()
    assistant.prime([g.question for g in golds])
    print(f"embedded questions and sentences in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = squad(assistant, golds, settings, not args.no_ablations)
    if not args.no_ablations:
        packed_settings = settings.model_copy(update={"passage_max_words": 90, "passage_paragraph_words": 0})
        packed = assistant_for("squad-packed", CACHE / "squad" / "corpus", packed_settings)
        packed.prime([g.question for g in golds])
        alternative = squad(packed, golds, packed_settings, ablations=False)
        for split, tallies in alternative["tallies"].items():  # type: ignore[attr-defined]
            result["tallies"][split]["− paragraph-aligned passages (90-word packing)"] = tallies["full system"]  # type: ignore[index]
            result["recall"][split]["fused-packed"] = alternative["recall"][split]["fused"]  # type: ignore[index]
    tables = squad_tables(result)
    counts: dict[str, dict[str, object]] = {}
    if not args.skip_extra:
        extra, counts = seed_and_factbook(assistant_for)
        tables += "\n" + extra
    header = (
        f"Measured by `python -m benchmarks.quality` on {time.strftime('%Y-%m-%d')}: all-MiniLM-L6-v2 (CPU), "
        f"abstention threshold {assistant.abstain_below}, top {settings.top_passages} passages, "
        f"{len(golds)} SQuAD questions. 'answer-sentence hit@1': the first quote contains a gold answer "
        "(SQuAD normalisation); recall@k: a top-k passage contains a gold answer span.\n"
    )
    print(header + "\n" + tables)
    if not args.no_write and not args.limit and args.split == "both":
        (OUT / "quality.md").write_text(
            "# Answer quality\n\n" + header + "\n" + tables + "\n![coverage](coverage.png)\n"
        )
        plot_curve(result, OUT / "coverage.png")
        results = update_results("squad_heldout", squad_headline(result))
        for part, values in counts.items():
            results = update_results(part, values)
        write_headline(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
