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
