"""Replicated serving (`qa serve`): two Ray Serve replicas over one index answer `POST /ask`, and both move
to a newly written commit by themselves. A local Ray cluster; the model-free embedder."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port
from qa.index.embedding import HashingEmbedder
from qa.index.sync import sync_index
from qa.settings import Settings

# one pytest-xdist worker runs the Ray tests of both files: two local clusters at once contend for ports
pytestmark = pytest.mark.xdist_group("ray")


def post(url: str, payload: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, json.dumps(payload).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def processes(*programs: bytes) -> set[int]:
    """The pids of the running processes whose program name holds one of `programs`."""
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and any(p in (proc / "cmdline").read_bytes().split(b"\0")[0] for p in programs):
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def test_each_ingress_starts_ray_with_its_own_settings() -> None:
    from qa.serving import ingress_environment

    fast, plain = ingress_environment("haproxy"), ingress_environment("python")
    assert fast["RAY_SERVE_ENABLE_HA_PROXY"] == "1" and plain["RAY_SERVE_ENABLE_HA_PROXY"] == "0"
    assert set(fast) <= set(plain) | {"RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S"}  # python undoes haproxy's
    for env in (fast, plain):  # a proxy slow to start on a busy machine is waited for, not restarted after 5 s
        assert float(env["RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S"]) >= 60


def test_waiting_for_a_port_sees_a_listener_and_gives_up_on_none() -> None:
    import socket

    from qa.serving import wait_until_listening

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert wait_until_listening("127.0.0.1", server.getsockname()[1], 0.0)
    ticks = iter([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])  # a fake clock: two tries inside the bound, then gives up
    assert not wait_until_listening("127.0.0.1", free_port(), 1.0, clock=lambda: next(ticks), pause_s=0.0)


@pytest.mark.parametrize("running_before", [False, True])
def test_a_failed_start_takes_down_only_the_cluster_it_started(
    tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, running_before: bool
) -> None:
    """A fake Ray (real counterpart: the two-replica test below) whose Serve fails to start its proxy."""
    import sys
    import types

    from qa.serving import serve_replicas

    calls: list[str] = []
    ray = types.ModuleType("ray")
    ray.is_initialized = lambda: running_before or "init" in calls  # type: ignore[attr-defined]
    ray.init = lambda **kw: calls.append("init")  # type: ignore[attr-defined]
    ray.shutdown = lambda: calls.append("ray.shutdown")  # type: ignore[attr-defined]
    serve = types.ModuleType("ray.serve")

    def start(**kw: object) -> None:
        raise RuntimeError("the proxy died")

    serve.start = start  # type: ignore[attr-defined]
    serve.shutdown = lambda: calls.append("serve.shutdown")  # type: ignore[attr-defined]
    ray.serve = serve  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ray", ray)
    monkeypatch.setitem(sys.modules, "ray.serve", serve)
    for name in ("RAY_SERVE_ENABLE_HA_PROXY", "RAY_SERVE_PROXY_READY_CHECK_TIMEOUT_S"):
        monkeypatch.delenv(name, raising=False)  # serve_replicas sets them; monkeypatch puts them back
    settings = Settings(model="hashing:256")
    sync_index(tiny_corpus, tmp_path / "index", HashingEmbedder(256, model_id="hashing:256"), settings)
    with pytest.raises(RuntimeError, match="the proxy died"):
        serve_replicas(
            tmp_path / "index", settings, port=free_port(), ingress="python", address="auto" if running_before else None
        )
    assert calls == ([] if running_before else ["init", "serve.shutdown", "ray.shutdown"])


def test_haproxys_side_pages_get_free_ports_unless_the_user_chose_them() -> None:
    import socket

    from qa.serving import ingress_environment, side_ports

    chosen = side_ports({})
    assert chosen is not None and chosen[0] != chosen[1] and 9101 not in chosen
    for port in chosen:  # free: a server can take it
        with socket.socket() as sock:
            sock.bind(("", port))
    env = ingress_environment("haproxy", chosen)
    assert (env["RAY_SERVE_HAPROXY_METRICS_PORT"], env["RAY_SERVE_HAPROXY_STATS_PORT"]) == tuple(map(str, chosen))
    assert side_ports({"RAY_SERVE_HAPROXY_METRICS_PORT": "9300"}) is None  # the user's, left alone
    assert side_ports(env) is not None  # ours (a parent's, say): chosen again
    assert "RAY_SERVE_HAPROXY_METRICS_PORT" not in ingress_environment("haproxy")


@pytest.mark.slow
@pytest.mark.parametrize("ingress", ["haproxy", "python"])
def test_two_replicas_answer_and_move_to_a_new_commit(tiny_corpus: Path, tmp_path: Path, ingress: str) -> None:
    pytest.importorskip("ray")
    from qa.serving import serve_replicas, stop_serving

    settings = Settings(model="hashing:256", abstain_below=0.0)
    fake = HashingEmbedder(256, model_id="hashing:256")
    index = tmp_path / "index"
    sync_index(tiny_corpus, index, fake, settings)
    url = serve_replicas(index, settings, replicas=2, port=free_port(), cpus_per_replica=0.5, ingress=ingress)  # type: ignore[arg-type]
    try:
        from qa import Assistant

        local = Assistant.open(index, embedder=fake, settings=settings).ask("What does Beta sell to Alpha?")
        for _ in range(4):  # whichever replica answers, it is the answer a local Assistant gives
            status, answer = post(url, {"question": "What does Beta sell to Alpha?"})
            assert (
                status == 200
                and answer["text"] == local.text
                and answer["citations"] == [c.model_dump(mode="json") for c in local.citations]
            )
        assert bool(processes(b"haproxy")) == (ingress == "haproxy")  # the ingress asked for is the one in front
        first = answer["index_version"]
        assert post(url, {"question": 3})[0] == 400 and "error" in post(url, {"nothing": 1})[1]
        (tiny_corpus / "gamma.md").write_text("# Gamma Note\n\nGamma grows rice in the delta.\n", encoding="utf-8")
        sync_index(tiny_corpus, index, fake, settings)
        # every replica has moved on within a bounded time: ten answers in a row from the new commit
        deadline, streak = time.monotonic() + 30, 0
        while time.monotonic() < deadline and streak < 10:
            status, answer = post(url, {"question": "Where does Gamma grow rice?"})
            new = status == 200 and answer["index_version"] != first and answer["citations"][0]["doc_id"] == "gamma.md"
            streak = streak + 1 if new else 0
            time.sleep(0.05)
        assert streak >= 10, "the replicas did not all serve the new commit within 30 s"
    finally:
        stop_serving()


@pytest.mark.slow
def test_qa_serve_answers_and_a_sigterm_takes_everything_down(tiny_corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    import os
    import signal
    import subprocess
    import sys

    settings = Settings(model="hashing:256")
    sync_index(tiny_corpus, tmp_path / "index", HashingEmbedder(256, model_id="hashing:256"), settings)
    before = processes(b"ray::", b"raylet")
    port = free_port()
    env = {**os.environ, "QA_MODEL": "hashing:256", "QA_ABSTAIN_BELOW": "0"}
    log = (tmp_path / "serve.log").open("w")
    command = [sys.executable, "-m", "qa", "serve", "--index", str(tmp_path / "index"), "--replicas", "1"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "Serving 1 replicas" not in (tmp_path / "serve.log").read_text() and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            time.sleep(0.5)
        status, answer = post(f"http://127.0.0.1:{port}/ask", {"question": "What does Beta sell to Alpha?"})
        assert status == 200 and answer["citations"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        deadline = time.monotonic() + 30  # Ray's own processes follow the driver out
        while processes(b"ray::", b"raylet") - before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not processes(b"ray::", b"raylet") - before, "Ray processes were left running after qa serve stopped"
    finally:
        if process.poll() is None:
            process.kill()
