"""The CLI in-process with the model-free `hashing:` embedder; the real model is in test_real.py."""

import json
from pathlib import Path

import pytest

from qa.cli import main


@pytest.fixture(autouse=True)
def hashing_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MODEL", "hashing:256")
    monkeypatch.setenv("QA_ABSTAIN_BELOW", "0")  # the fake embedder's confidences are no test of the threshold


def test_index_ask_status(tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = str(tmp_path / "index")
    assert main(["index", str(tiny_corpus), "--index", index, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "added        2" in out and "Generation gen-000001" in out
    assert main(["ask", "What does Beta sell to Alpha?", "--index", index]) == 0
    out = capsys.readouterr().out
    assert "> Beta sells wheat to Alpha. [1]" in out and "alpha.md  chars" in out
    assert main(["ask", "What does Beta sell to Alpha?", "--index", index, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) >= {"text", "abstained", "confidence", "citations"}
    assert set(payload["citations"][0]) >= {"n", "doc_id", "title", "date", "source", "quote", "start", "end", "score"}
    assert main(["status", "--index", index]) == 0
    assert "2 documents" in capsys.readouterr().out


def test_errors_are_one_line_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Anything?", "--index", str(tmp_path / "none")]) == 2
    assert "qa index" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["index", str(tmp_path / "empty"), "--index", str(tmp_path / "i"), "--quiet"]) == 2
    assert "No readable briefings" in capsys.readouterr().err


def test_bad_question_and_bad_filter(tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = str(tmp_path / "index")
    main(["index", str(tiny_corpus), "--index", index, "--quiet"])
    capsys.readouterr()
    assert main(["ask", "   ", "--index", index]) == 2
    assert "Please type a question" in capsys.readouterr().err
    assert main(["ask", "Beta?", "--index", index, "--doc", "nope.txt"]) == 0
    assert "No briefing matches the filters" in capsys.readouterr().out


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "index" in out and "ask" in out and "status" in out


@pytest.mark.parametrize("bad", ["yesterday", "2025-13", "2025-02-30", "25-07"])
def test_a_date_filter_that_is_no_date_is_refused_with_the_form(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ask", "Anything?", "--index", str(tmp_path), "--since", bad])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"'{bad}' is not a date" in err and "Traceback" not in err


def test_a_full_disk_is_one_line_and_exit_2(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import qa.index.sync

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "index"))

    monkeypatch.setattr(qa.index.sync, "write_commit", full)
    assert main(["index", str(tiny_corpus), "--index", str(tmp_path / "index"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qa: error: the disk is full") and "unchanged" in err[0]


def test_a_reader_that_leaves_early_is_no_error(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = str(tmp_path / "index")
    assert main(["index", str(tiny_corpus), "--index", index, "--quiet"]) == 0
    capsys.readouterr()

    class ClosedPipe:  # `qa status | head -1`, once head has left
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert main(["status", "--index", index]) == 0
    assert capsys.readouterr().err == ""


def test_verify_says_the_index_is_intact_or_names_the_damaged_file(
    tiny_corpus: Path, tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from conftest import newest_segment

    monkeypatch.setenv("QA_MODEL", "hashing:64")
    index = tmp_path / "index"
    assert main(["index", str(tiny_corpus), "--index", str(index), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["verify", "--index", str(index)]) == 0
    assert "files match their checksums" in capsys.readouterr().out
    target = newest_segment(index) / "sentence_vectors.npy"
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF
    target.write_bytes(bytes(data))
    assert main(["verify", "--index", str(index)]) == 1
    err = capsys.readouterr().err
    assert "sentence_vectors.npy: fails its checksum" in err and "--rebuild" in err


def test_indexing_shows_a_bar_a_phase_with_its_rate_and_time_left(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index", str(tiny_corpus), "--index", str(tmp_path / "index")]) == 0
    err = capsys.readouterr().err
    for phase in ("Embedding passages", "Embedding sentences"):
        line = next(line for line in err.replace("\r", "\n").splitlines() if line.startswith(phase) and "100%" in line)
        assert phase.split()[-1] + "/s" in line and "<" in line  # "… passages/s", and tqdm's "elapsed<left"


def test_terminal_bars_close_each_phase_and_count_what_is_done() -> None:
    import io

    from qa.progress import TerminalBars

    out = io.StringIO()
    bars = TerminalBars(out)
    for done in (0, 256, 300):
        bars("Embedding passages", done, 300)
    bars("Writing the index", 0, 1)
    bars("Embedding sentences", 0, 900)  # the next phase: writing was done
    bars.close()  # a run stopped midway: its bar is closed where it was
    text = out.getvalue().replace("\r", "\n")
    assert "Embedding passages: 100%" in text and "300/300" in text
    assert "Writing the index: 100%" in text
    assert "Embedding sentences:   0%" in text and "0/900" in text and "Embedding sentences: 100%" not in text


def test_the_time_left_in_all_phases_is_the_rate_so_far_over_the_work_to_come() -> None:
    import io

    from qa.progress import TerminalBars, time_left

    plan = [("Embedding passages", 1000.0), ("Embedding sentences", 3000.0)]
    # a quarter of the passages' characters in 10 s: 250 of 4000 done, 3750 to go at 25 a second
    assert time_left(plan, "Embedding passages", 25, 100, 10.0) == pytest.approx(150.0)
    # all the passages and a third of the sentences in 40 s: 2000 of 4000 done
    assert time_left(plan, "Embedding sentences", 1, 3, 40.0) == pytest.approx(40.0)
    assert time_left(plan, "Embedding passages", 0, 100, 5.0) is None  # nothing done: no rate yet
    assert time_left(plan, "Reading briefings", 5, 10, 5.0) is None  # not a planned phase
    ticks = iter([0.0, 10.0, 20.0, 30.0])
    out = io.StringIO()
    bars = TerminalBars(out, clock=lambda: next(ticks))
    bars.plan(plan)
    bars("Embedding passages", 25, 100)  # at 10 s
    bars("Embedding passages", 50, 100)  # at 20 s: 500 of 4000 in 20 s, 3500 to go: 140 s
    assert "about 2 min left in all" in out.getvalue()


def test_indexing_on_a_terminal_says_the_time_left_in_all(
    tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real counterpart of the fake clock: sync tells the bars its plan before embedding."""
    from qa.index.embedding import HashingEmbedder
    from qa.index.sync import sync_index

    planned: list[list[tuple[str, float]]] = []

    class Bars:
        def __call__(self, what: str, done: int, total: int) -> None:
            pass

        def plan(self, phases: list[tuple[str, float]]) -> None:
            planned.append(list(phases))

    sync_index(tiny_corpus, tmp_path / "index", HashingEmbedder(64, model_id="hashing:64"), step=Bars())
    ((passages, sentences),) = planned
    assert passages[0] == "Embedding passages" and sentences[0] == "Embedding sentences"
    assert passages[1] > 0 and sentences[1] > 0
