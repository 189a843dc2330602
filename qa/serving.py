"""Replicated serving: `qa serve --replicas N`, N answer processes over one committed index, behind one HTTP
endpoint, with Ray Serve.

Why Ray Serve rather than N app processes behind a balancer: it is the balancer, the process supervisor
and the scaling knob in one, runs unchanged from one machine to many, and the distributed build
(`qa index --ray`) already needs Ray. Each replica is an `Assistant` opened on the same index folder
(shared storage); it holds no state of its own but caches, so any replica answers any question. Each
checks the index's `CURRENT` pointer at most once a second while answering and loads a newer commit on a
background thread: every replica serves the new commit within a few seconds of it being written, and a
question already being answered finishes on the commit it started with.

`POST /ask` takes `{"question": "...", "history": ["...", ...]}` (history optional) and returns the
answer JSON of `Assistant.ask`, or `{"error": "..."}` with status 400.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.settings import Settings

ROUTE = "/ask"


class AnswerReplica:
    """One replica: an Assistant over the shared index, answering `POST /ask`."""

    def __init__(self, index_dir: str, settings: str) -> None:
        from qa.assistant import Assistant

        self.assistant = Assistant.open(Path(index_dir), settings=Settings.model_validate_json(settings))

    async def __call__(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": 'The body must be JSON: {"question": "..."}'}, status_code=400)
        question = body.get("question") if isinstance(body, dict) else None
        history = body.get("history") or [] if isinstance(body, dict) else []
        if (
            not isinstance(question, str)
            or not isinstance(history, list)
            or not all(isinstance(h, str) for h in history)
        ):
            return JSONResponse({"error": 'Send {"question": "...", "history": ["..."]}'}, status_code=400)
        try:
            answer = await asyncio.to_thread(self.assistant.ask, question, history)
        except (QAError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(answer.model_dump(mode="json"))


def serve_replicas(
    index_dir: Path,
    settings: Settings,
    replicas: int = 2,
    port: int = 8000,
    address: str | None = None,
    cpus_per_replica: float = 1.0,
) -> str:
    """Deploy `replicas` answer replicas behind http://127.0.0.1:`port`/ask on the Ray cluster at `address`
    (else a local one) and return the endpoint's URL; `stop_serving` takes them down."""
    import ray
    from ray import serve

    if not (Path(index_dir) / "CURRENT").is_file():
        raise QAError(f"No index in '{index_dir}': run `qa index CORPUS_DIR --index {index_dir}` first.")
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    deployment: Any = serve.deployment(AnswerReplica, name="answers")
    deployment = deployment.options(
        num_replicas=replicas,
        ray_actor_options={"num_cpus": cpus_per_replica},
        max_ongoing_requests=8,
    )
    serve.run(deployment.bind(str(index_dir), settings.model_dump_json()), route_prefix=ROUTE, name="briefing-qa")
    return f"http://127.0.0.1:{port}{ROUTE}"


def stop_serving() -> None:
    import ray
    from ray import serve

    serve.shutdown()
    ray.shutdown()


def serve_forever(index_dir: Path, settings: Settings, replicas: int, port: int, address: str | None) -> None:
    """`qa serve`: deploy, say where, and wait for Ctrl-C."""
    url = serve_replicas(index_dir, settings, replicas, port, address)
    print(f"Serving {replicas} replicas of the answers over '{index_dir}' at {url} (POST JSON; Ctrl-C to stop).")
    try:
        while True:
            time.sleep(3600)
    finally:
        stop_serving()
