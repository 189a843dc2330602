"""The `qa` command: a thin shell over the library. It parses arguments, prints, and turns
library errors into one-line messages with exit code 2; it holds no logic of its own."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import errno
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import QAError
from qa.records import Filters
from qa.settings import Settings

if TYPE_CHECKING:
    from qa.assistant import Assistant


def _date(text: str) -> str:
    """A date filter as the index writes dates: YYYY, YYYY-MM or YYYY-MM-DD, and a real one."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: {exc}") from exc
    return text.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa",
        description="Ask questions of a folder of briefings; every answer is quoted verbatim and cited.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = sub.add_parser(
        "index",
        help="build or update the index from a corpus folder",
        description="Build or update the index. Only new or changed files are embedded; removed files "
        "leave the index; unreadable files are skipped and reported. The new index replaces the old "
        "one atomically, and a running app picks it up by itself.",
    )
    index.add_argument("corpus", nargs="?", default="corpus", help="folder of briefings (default: corpus/)")
    index.add_argument("--index", default="index", help="index folder (default: index/)")
    index.add_argument("--rebuild", action="store_true", help="re-embed every file, ignoring the current index")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.add_argument(
        "--watch", action="store_true", help="after indexing, keep watching the folder and re-index on every change"
    )
    index.add_argument(
        "--ray", nargs="?", const="", default=None, metavar="ADDRESS",
        help="read, chunk and embed the changed files on a Ray cluster (the one at ADDRESS, else a local one)",
    )  # fmt: skip
    index.add_argument("--workers", type=int, default=2, help="Ray workers (default 2; with --ray)")

    ask = sub.add_parser(
        "ask", help="answer a question with citations", description="Answer a question from the index."
    )
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--index", default="index", help="index folder (default: index/)")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--history", action="append", default=[], metavar="QUESTION",
                     help="an earlier question of the conversation (repeat, oldest first)")  # fmt: skip
    ask.add_argument(
        "--doc", action="append", default=[], metavar="DOC_ID", help="search only this document (repeatable)"
    )
    ask.add_argument(
        "--since", type=_date, metavar="DATE", help="only briefings dated on or after DATE (YYYY[-MM[-DD]])"
    )
    ask.add_argument("--until", type=_date, metavar="DATE", help="only briefings dated on or before DATE")

    status = sub.add_parser("status", help="show what the index holds")
    status.add_argument("--index", default="index", help="index folder (default: index/)")
    status.add_argument("--json", action="store_true", help="print as JSON")
    serve = sub.add_parser(
        "serve",
        help="answer over HTTP from N replicas (Ray Serve)",
        description="Deploy N answer replicas over one index behind POST http://127.0.0.1:PORT/ask (JSON: "
        '{"question": "...", "history": [...]}). Each replica picks up a new index by itself.',
    )
    serve.add_argument("--index", default="index", help="index folder (default: index/)")
    serve.add_argument("--replicas", type=int, default=2, help="answer replicas (default 2)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port on 127.0.0.1 (default 8000)")
    serve.add_argument("--ray", dest="address", default=None, metavar="ADDRESS", help="a running Ray cluster")
    serve.add_argument(
        "--ingress",
        choices=["haproxy", "python"],
        default="haproxy",
        help="Ray Serve's HTTP ingress on a local cluster: HAProxy (default; the faster) or its Python proxy",
    )
    diff = sub.add_parser(
        "diff",
        help="what changed between two briefings of a series",
        description="List the sentences changed, added and removed between two briefings of one series (by "
        "default its newest and the one before), each quoted with its document and offsets.",
    )
    diff.add_argument("series", help="the series' name, as `qa status` lists it (its first words will do)")
    diff.add_argument(
        "--from",
        dest="date_from",
        type=_date,
        metavar="DATE",
        help="the older briefing: the last dated on or before DATE",
    )
    diff.add_argument(
        "--to", dest="date_to", type=_date, metavar="DATE", help="the newer briefing: the last dated on or before DATE"
    )
    diff.add_argument("--index", default="index", help="index folder (default: index/)")
    diff.add_argument("--json", action="store_true", help="print as JSON")
    verify = sub.add_parser("verify", help="check every index file against its checksum (opening checks sizes only)")
    verify.add_argument("--index", default="index", help="index folder (default: index/)")
    _watch_parser(sub)
    return parser


def _watch_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    watch = sub.add_parser(
        "watch",
        help="standing questions: answered again at every re-index, with what changed",
        description="Keep questions standing. Each is answered when kept and again after every re-index (`qa index`, "
        "its --watch, the app's Maintain tab), and compared with the answer last seen: unchanged, changed, newly "
        "answered, no longer answered, or source edited.",
    )
    actions = watch.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="keep a question standing (answered now, and after every re-index)")
    add.add_argument("question", help="the question, in quotes")
    add.add_argument("--briefing", action="append", default=[], metavar="DOC_ID",
                     help="search only this briefing (repeatable)")  # fmt: skip
    add.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="only briefings dated on or after DATE"
    )
    add.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="only briefings dated on or before DATE")
    for name, text in (("list", "the standing questions and their answers as last seen"),
                       ("status", "what changed since each standing question was last seen")):  # fmt: skip
        shown = actions.add_parser(name, help=text)
        shown.add_argument("--json", action="store_true", help="print as JSON")
    for name, text in (("remove", "stop watching a question"), ("seen", "mark a question's latest answer as seen")):
        one = actions.add_parser(name, help=text)
        one.add_argument("id", type=int, help="the question's number (`qa watch list`)")
    actions.add_parser("check", help="answer every standing question again now, against the index in use")
    for parser in actions.choices.values():
        parser.add_argument("--index", default="index", help="index folder (default: index/)")


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from qa.index.embedding import make_embedder
    from qa.index.sync import sync_index

    log = (lambda _: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    if args.ray is not None:
        from qa.index.distributed import sync_index_ray

        if args.watch:
            raise QAError("--watch re-indexes in this process: use it without --ray")
        report = sync_index_ray(
            Path(args.corpus), Path(args.index), settings, args.ray or None, args.workers, args.rebuild, log=log
        )
        print(report.summary())
        _after_commit(Path(args.index), None, settings, log)
        return 0
    embedder = make_embedder(settings.model, settings.batch_size, None, settings.backend)
    from qa.progress import TerminalBars

    bars = None if args.quiet else TerminalBars()  # one bar a phase, with its rate and the time left
    try:
        report = sync_index(Path(args.corpus), Path(args.index), embedder, settings, args.rebuild, False, log, bars)
        if bars is not None:
            bars.close(finished=True)
    finally:
        if bars is not None:
            bars.close()  # stopped by an error: the bar stays where it was
    print(report.summary())
    _after_commit(Path(args.index), embedder, settings, log)
    if args.watch:
        from qa.index.watch import watch_corpus

        def again() -> object:
            return sync_index(Path(args.corpus), Path(args.index), embedder, settings, False, False, log)

        def said(result: object, events: int) -> None:
            if isinstance(result, Exception):
                print(f"\n{events} change(s) seen; re-indexing failed: {result}. Still watching.", file=sys.stderr)
            else:
                print(f"\n{events} change(s) seen in '{args.corpus}'.\n{result.summary()}", flush=True)  # type: ignore[attr-defined]
                _after_commit(Path(args.index), embedder, settings, log)

        print(f"Watching '{args.corpus}' for changes (Ctrl-C to stop)…", flush=True)
        watch_corpus(Path(args.corpus), again, said)
    return 0


def _after_commit(index: Path, embedder: object, settings: Settings, log: Callable[[str], None]) -> None:
    """After a commit: ask the example questions the first screen shows of the new index (stored with it), and
    answer the standing questions again, saying what changed since last seen."""
    from qa.assistant import Assistant
    from qa.index.store import CURRENT

    if not (index / CURRENT).is_file():
        return  # nothing indexed: no examples to ask, nothing to re-check
    assistant = Assistant.open(index, embedder=embedder, settings=settings)  # type: ignore[arg-type]
    kept = assistant.examples()
    log(f"Example questions it answers: {'; '.join(kept) if kept else 'none found'}")
    _recheck(assistant)


def _recheck(assistant: Assistant) -> None:
    """Re-check the standing questions (if any) and print the summary; a store that cannot be read is said, and
    the index stays as committed."""
    from qa.errors import StandingError

    try:
        if not assistant.standing().list():
            return
        report = assistant.recheck_standing()
    except StandingError as exc:
        print(f"qa: standing questions not re-checked: {exc}", file=sys.stderr)
        return
    print(report.summary() + (" (qa watch status)" if report.states.keys() - {"unchanged"} else ""), flush=True)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import Assistant
    from qa.web.export import terminal

    assistant = Assistant.open(args.index, settings=settings)
    filters = Filters(doc_ids=tuple(args.doc), date_from=args.since, date_to=args.until)
    answer = assistant.ask(args.question, args.history, filters=filters)
    print(json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False) if args.json else terminal(answer))
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from qa.index.store import load_generation
    from qa.text.series import group_series

    generation = load_generation(Path(args.index))
    grouped = group_series((d.doc_id, d.title, d.date, d.series) for d in generation.documents.info)
    series = list(grouped)
    info = {
        "generation": generation.name,
        "built_at": generation.manifest.get("created_at"),
        "model": generation.manifest.get("model"),
        "counts": generation.manifest.get("counts"),
        "documents": [{"doc_id": d.doc_id, "title": d.title, "date": d.date} for d in generation.documents.info],
        "series": [
            {"name": s.name, "members": [{"doc_id": m.doc_id, "date": m.date} for m in s.members]}
            for s in series
            if len(s.members) > 1
        ],
    }
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        counts: dict[str, int] = generation.manifest.get("counts") or {}
        print(f"Index '{args.index}': generation {generation.name}, built {info['built_at']}, model {info['model']}")
        print(
            f"{counts.get('documents')} documents, {counts.get('passages')} passages, {counts.get('sentences')} sentences"
        )
        for d in generation.documents.info:
            print(f"  {d.date or '----':10}  {d.doc_id}  — {d.title}")
        several = [s for s in series if len(s.members) > 1]
        if several:
            print(f"{len(several)} series of dated briefings (oldest first):")
            for s in several:
                print(f"  {s.name}: " + ", ".join(f"{m.date or 'undated'} ({m.doc_id})" for m in s.members))
    return 0


def _diff(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import Assistant
    from qa.web.changes import diff_markdown

    changes = Assistant.open(args.index, settings=settings).diff(args.series, args.date_from, args.date_to)
    print(
        json.dumps(changes.model_dump(mode="json"), indent=2, ensure_ascii=False)
        if args.json
        else diff_markdown(changes)
    )
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from qa.serving import serve_forever

    serve_forever(Path(args.index), settings, args.replicas, args.port, args.address, args.ingress)
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    """Hash every file of the current generation against its manifest (opening the index checks sizes only)."""
    from qa.index.store import current_name, read_manifest, verify_generation

    index = Path(args.index)
    problems = verify_generation(index)
    name = current_name(index)
    if problems:
        print(f"Index '{index}', generation {name}: {len(problems)} files damaged.", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"Rebuild it with: qa index CORPUS_DIR --index {index} --rebuild", file=sys.stderr)
        return 1
    files = len(read_manifest(index).get("files", {}))
    print(f"Index '{index}', generation {name}: all {files} files match their checksums.")
    return 0


def _watch(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant.standing import StandingStore
    from qa.web.export import standing_text

    store = StandingStore(Path(args.index))
    if args.action in ("list", "status"):
        items = store.list()
        if args.action == "status":
            items = [i for i in items if i.state != "unchanged" or i.error]
        if args.json:
            print(json.dumps([i.model_dump(mode="json") for i in items], indent=2, ensure_ascii=False))
        else:
            print(standing_text(items, changes_only=args.action == "status"))
        return 0
    if args.action == "remove":
        store.remove(args.id)
        print(f"Stopped watching question {args.id}.")
        return 0
    if args.action == "seen":
        store.mark_seen(args.id)
        print(f"Question {args.id}: its latest answer is now the one seen.")
        return 0
    from qa.assistant import Assistant

    assistant = Assistant.open(args.index, settings=settings)
    if args.action == "add":
        filters = Filters(doc_ids=tuple(args.briefing), date_from=args.date_from, date_to=args.date_to)
        item = assistant.keep_watching(args.question, filters)
        print(standing_text([item], changes_only=False))
        return 0
    print(assistant.recheck_standing().summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        handlers = {"index": _index, "ask": _ask, "status": _status, "diff": _diff, "serve": _serve, "verify": _verify,
                    "watch": _watch}  # fmt: skip
        return handlers[args.command](args, settings)
    except QAError as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # settings from the environment that do not validate
        print(f"qa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa: interrupted; the index in use is unchanged.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa status | head`: the reader left; nothing more to say
        with contextlib.suppress(AttributeError, OSError, ValueError):  # nor may Python's own flush at exit fail
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            print(
                f"qa: error: the disk is full{where}; the index in use is unchanged. Free some space and run again.",
                file=sys.stderr,
            )
        else:
            print(f"qa: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
