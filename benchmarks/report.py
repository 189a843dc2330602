"""The headline numbers: kept in `benchmarks/results.json` and shown as one table in the README.

`quality.py` and `latency.py` each update their part of the results file and re-render the table
between the README's `<!-- headline:start -->` and `<!-- headline:end -->` markers; the full tables
go to `docs/`. Pure file work: nothing here measures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT

RESULTS = ROOT / "benchmarks" / "results.json"
README = ROOT / "README.md"

START, END = "<!-- headline:start -->", "<!-- headline:end -->"


def update_results(part: str, values: dict[str, Any], path: Path = RESULTS) -> dict[str, Any]:
    """Replace one part of the results file (keeping the others) and return the whole."""
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    results[part] = values
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def _ratio(part: dict[str, Any], key: str) -> str:
    value = part.get(key)
    return "–" if value is None else f"{value:.3f}"


def render_headline(results: dict[str, Any]) -> str:
    squad = results.get("squad_heldout", {})
    factbook = results.get("factbook_heldout", {})
    sample = results.get("sample", {})
    latency = results.get("latency", {})
    misfire = results.get("misfire_heldout", {})
    readings = ("change", "as_of", "comparison", "followup")

    def lowest(key: str) -> str:
        values = [misfire.get(f"{r}_{key}") for r in readings]
        return "–" if None in values or not values else f"{min(v for v in values if v is not None):.3f}"

    rows = [
        ("SQuAD 2.0 held-out, open corpus: a top-5 passage holds the answer (recall@5)", _ratio(squad, "recall_at_5"),
         "≥ 0.97"),
        ("… the first quote holds the answer (answer-sentence hit@1)", _ratio(squad, "hit_at_1"), "≥ 0.80"),
        ("… answerable questions answered at the default threshold", _ratio(squad, "answered"), "≥ 0.90"),
        ("… unanswerable questions refused at the default threshold", _ratio(squad, "abstained"), "≥ 0.50"),
        ("… a short (bold) answer given, of the answerable", _ratio(squad, "short_given"), ""),
        ("… the short (bold) answer's F1, where one is given", _ratio(squad, "short_f1"), "≥ 0.5"),
        ("… answerable questions answered with the answer in the first quote", _ratio(squad, "answered_right"),
         "≥ 0.78"),
        ("… calibration error of the confidence", _ratio(squad, "calibration_error"), "≤ 0.05"),
        ("Factbook held-out countries: the first quote on the right profile and line", _ratio(factbook, "right_line"),
         "≥ 0.92"),
        ("… short (bold) answer given", _ratio(factbook, "short_given"), "≥ 0.70"),
        ("… short answer right, of those given", _ratio(factbook, "short_right_of_given"), "≥ 0.95"),
        ("… refused though a profile answers", _ratio(factbook, "wrongly_refused"), "≤ 0.05"),
        ("… refused where no profile exists", _ratio(factbook, "no_profile_refused"), "≥ 0.95"),
        ("… calibration error of the confidence", _ratio(factbook, "calibration_error"), "≤ 0.05"),
        ("Misfire set, held-out: each reading's precision (the lowest of change, as-of, comparison, follow-up)",
         lowest("precision"), "≥ 0.97"),
        ("… each reading's recall (the lowest)", lowest("recall"), "≥ 0.90"),
        ("… bold answers right, of those shown", _ratio(misfire, "bold_precision"), "≥ 0.98"),
        ("… wrong bold answers at *high* confidence", str(misfire.get("wrong_bold_high", "–")), "0"),
        ("The sample briefing's examples", f"{sample.get('right', '–')}/{sample.get('total', '–')}", "all"),
        ("Answer latency, median (Factbook; retrieval and answering, question embedded ahead)",
         f"{latency['median_ms']:.1f} ms" if "median_ms" in latency else "–", ""),
    ]  # fmt: skip
    lines = [
        f"Measured on a shared 2-core CPU machine: SQuAD on {squad.get('measured', '–')} ({squad.get('answerable', '–')} "
        f"answerable and {squad.get('unanswerable', '–')} unanswerable held-out questions), the Factbook on "
        f"{factbook.get('measured', '–')} ({factbook.get('answerable', '–')} answerable questions about held-out "
        f"countries, {factbook.get('no_profile', '–')} about countries with no profile), the misfire set's held-out "
        f"half on {misfire.get('measured', '–')}, latency on {latency.get('measured', '–')}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        *(f"| {name} | {value} | {target} |" for name, value, target in rows),
    ]
    return "\n".join(lines)


def write_headline(results: dict[str, Any], readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{readme} has no {START} … {END} block to replace")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{render_headline(results)}\n{END}{after}", encoding="utf-8")
