"""The walls of the house: the import contracts hold, and fail when broken; the records load no
model library; the weights file is checked on load."""

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from qa.answering.weights import (
    CONFIDENCE_FEATURES,
    HAND_SET,
    PASSAGE_FEATURES,
    SELECTION_FEATURES,
    WEIGHTS_FILE,
    default_weights,
    hand_set_constants,
    load_weights,
)
from qa.errors import WeightsError

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_import_contracts_fail_when_a_wall_is_broken(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "qa", tmp_path / "qa", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "qa" / "text" / "tokens.py").open("a") as f:
        f.write("\nimport faiss  # noqa: E402\n")  # a pure layer reaching for the index library
    with (tmp_path / "qa" / "index" / "store.py").open("a") as f:
        f.write("\nfrom qa.assistant import Assistant  # noqa: E402\n")  # a lower layer importing a higher one
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "qa.index is not allowed to import qa.assistant" in result.stdout
    assert "qa.text is not allowed to import faiss" in result.stdout


def test_nothing_under_qa_imports_the_app() -> None:
    for path in (ROOT / "qa").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "app" or n.startswith("app.") for n in names), path


def test_importing_the_records_loads_no_model_or_index_library() -> None:
    code = (
        "import sys, qa.records, qa.settings, qa.errors\n"
        "from qa import Answer, Filters\n"
        "print(sorted(m for m in ('faiss', 'torch', 'sentence_transformers', 'gradio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_shipped_weights_name_every_feature_and_note_every_hand_set_weight() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data["format_version"] == 2 and "tune" in data["fitted_on"] and data["command"]
    assert list(data["selection"]) + [n for n in data["hand_set"] if n in SELECTION_FEATURES] != []
    assert set(data["selection"]) | set(data["hand_set"]) >= set(SELECTION_FEATURES) - set(HAND_SET)
    assert list(data["rerank"]) == list(PASSAGE_FEATURES)
    assert list(data["confidence"]["weights"]) == list(CONFIDENCE_FEATURES)
    assert {n for n in data["hand_set"] if "." not in n} == set(HAND_SET)
    assert {n for n in data["hand_set"] if "." in n} == set(hand_set_constants())
    assert all(item["comment"] and item["ablation"] and item["used_in"] for item in data["hand_set"].values())
    weights = default_weights()
    assert weights.abstain_below == data["abstain_below"]
    assert dict(weights.rerank_weights) == data["rerank"]
    assert [x for x, _ in weights.calibration] == data["calibration"]["raw"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rerank"].pop("dense"), "missing ['dense']"),
        (lambda d: d["confidence"]["weights"].update(shininess=1.0), "unknown ['shininess']"),
        (lambda d: d["selection"].pop("field_match"), "missing ['field_match']"),
        (lambda d: d.update(format_version=99), "format version 99"),
        (lambda d: d["calibration"].update(raw=[0.5, 0.1], calibrated=[0.2, 0.3]), "both increasing"),
        (lambda d: d["hand_set"].pop("phrases.TITLE_DISTANCE"), "not listed: ['phrases.TITLE_DISTANCE']"),
        (
            lambda d: d["hand_set"]["evidence.SUPPORT_SHARE"].update(value=0.6),
            "evidence.SUPPORT_SHARE (0.6 in the file",
        ),
        (
            lambda d: d["hand_set"].update(
                {"phrases.GONE": {"value": 1, "used_in": "x", "comment": "x", "ablation": "x"}}
            ),
            "listed but gone: ['phrases.GONE']",
        ),
    ],
)
def test_a_weights_file_that_does_not_match_the_code_is_refused_by_name(tmp_path: Path, change, message) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WeightsError, match=re.escape(message)):
        load_weights(path)


def test_answering_names_every_number_it_decides_with() -> None:
    """A number in an answering function's body is a named constant (listed in weights.json's hand_set, or fitted),
    save 0, 1, 2 and -1, a cache's size and round()'s digits. A new bare threshold fails here."""
    import ast

    bare = []
    for path in sorted((ROOT / "qa" / "answering").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                allowed |= {id(n) for d in node.decorator_list for n in ast.walk(d)}
                allowed |= {id(n) for d in [*node.args.defaults, *node.args.kw_defaults] if d for n in ast.walk(d)}
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round":
                allowed |= {id(n) for n in node.args[1:]}
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for node in ast.walk(function):
                number = getattr(node, "value", None) if isinstance(node, ast.Constant) else None
                counted = isinstance(number, int | float) and not isinstance(number, bool) and id(node) not in allowed
                if counted and number not in (0, 1, 2, -1):
                    bare.append(f"{path.name}:{node.lineno}: {number}")
    assert bare == []


def test_every_benchmark_is_listed_and_none_edits_the_import_path() -> None:
    folder = ROOT / "benchmarks"
    listed = (folder / "README.md").read_text(encoding="utf-8")
    scripts = [p for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"]
    assert [p.name for p in scripts if f"`{p.name}`" not in listed] == []
    # the installed package is imported; only a baseline's checkout (QA_BENCH_CODE) is put first on purpose
    edits = [p.name for p in scripts if "sys.path.insert" in p.read_text(encoding="utf-8").replace(
        'sys.path.insert(0, os.environ["QA_BENCH_CODE"])', "")]  # fmt: skip
    assert edits == []
    assert not any("from tests" in p.read_text(encoding="utf-8") for p in scripts)  # no benchmark imports the tests
