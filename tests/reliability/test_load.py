"""Load: 20 concurrent chat clients against the running app while an incremental re-index runs.

``eip serve`` runs in its own process on a free loopback port over a copy of the sample
index (real embedder). Twenty threads drive the chat the way the browser does (Gradio queue:
join, then read the event stream) for EIP_LOAD_SECONDS (default 60), while another process
runs ``eip index`` on a copy of the corpus with one file changed. Every request must
succeed, and each answer must hold the same key facts (from evals/questions.jsonl) as the
answer the app gave to the same question before the load started.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("EIP_LOAD_SECONDS", "60"))  # read before the env is isolated
CLIENTS = int(os.environ.get("EIP_LOAD_CLIENTS", "20"))
SPOT_CHECK = ("fw-001", "fw-002", "fw-010", "fw-015", "za-005")

pytestmark = [pytest.mark.load, pytest.mark.slow]


def _questions() -> list[dict]:
    rows = [json.loads(line) for line in (REPO / "evals" / "questions.jsonl").read_text()
            .splitlines() if line.strip()]
    by_id = {r["id"]: r for r in rows}
    return [by_id[i] for i in SPOT_CHECK]


class ChatClient:
    """Speaks to the chat event like the browser: queue/join, then the SSE result stream."""

    def __init__(self, base: str) -> None:
        import httpx

        self.base = base
        self.http = httpx.Client(timeout=120)
        config = self.http.get(f"{base}/config").json()
        comps = {c["id"]: c for c in config["components"]}
        dep, index = next((d, i) for i, d in enumerate(config["dependencies"])
                          if [comps[j]["type"] for j in d["inputs"]][:2] == ["textbox", "chatbot"])
        self.fn_index = index
        self.trigger = dep["targets"][0][0]
        self.defaults = [comps[j].get("props", {}).get("value") for j in dep["inputs"]]

    def ask(self, question: str) -> str:
        data = list(self.defaults)
        data[0] = question
        session = uuid.uuid4().hex[:12]
        joined = self.http.post(f"{self.base}/gradio_api/queue/join", json={
            "data": data, "fn_index": self.fn_index, "trigger_id": self.trigger,
            "session_hash": session, "event_data": None})
        joined.raise_for_status()
        with self.http.stream("GET", f"{self.base}/gradio_api/queue/data",
                              params={"session_hash": session}) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    if not msg.get("success"):
                        raise RuntimeError(f"event failed: {msg}")
                    chat = msg["output"]["data"][0]
                    content = chat[-1]["content"]
                    parts = content if isinstance(content, list) else [{"text": content}]
                    return "".join(p.get("text", "") for p in parts if isinstance(p, dict))
                if msg.get("msg") in ("queue_full", "unexpected_error"):
                    raise RuntimeError(f"queue refused the event: {msg}")
        raise RuntimeError("event stream ended without a result")

    def close(self) -> None:
        self.http.close()


def _facts(text: str, facts: list[str]) -> frozenset[str]:
    low = text.lower()
    return frozenset(f for f in facts if f.lower() in low)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"eip serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/config", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("eip serve did not come up")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_twenty_chat_clients_during_a_reindex(sample_data_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus, ignore=shutil.ignore_patterns("_*"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EIP_")}
    env.update(PYTHONPATH=str(REPO), EIP_DATA_DIR=str(sample_data_dir),
               EIP_CORPUS_DIR=str(corpus), EIP_CONFIG=str(tmp_path / "none.toml"),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    eip = [sys.executable, "-c", "from assistant.cli import main; main()"]
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([*eip, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    indexer: subprocess.Popen[bytes] | None = None
    try:
        _wait_ready(base, server)
        questions = _questions()
        probe = ChatClient(base)
        expected = {}
        for q in questions:  # sequential answers: the reference for the spot checks
            expected[q["id"]] = _facts(probe.ask(q["question"]), q["key_facts"])
            assert expected[q["id"]], f"{q['id']}: no key fact even without load"
        probe.close()

        # An incremental re-index in another process: one changed zone document.
        changed = sorted((corpus / "zones").rglob("*.md"))[0]
        changed.write_text(changed.read_text() + "\n\nNote added for the load test.\n")
        results: list[tuple[float, str | None]] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + SECONDS

        def client(number: int) -> None:
            chat = ChatClient(base)
            turn = number
            try:
                while time.monotonic() < stop_at:
                    q = questions[turn % len(questions)]
                    turn += 1
                    started = time.perf_counter()
                    error = None
                    try:
                        got = _facts(chat.ask(q["question"]), q["key_facts"])
                        if got != expected[q["id"]]:
                            want = sorted(expected[q["id"]])
                            error = f"{q['id']}: key facts {sorted(got)} != {want}"
                    except Exception as exc:  # every failure counts; none is expected
                        error = f"{q['id']}: {exc.__class__.__name__}: {exc}"
                    with lock:
                        results.append((time.perf_counter() - started, error))
            finally:
                chat.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(min(2.0, SECONDS / 10))
        indexer = subprocess.Popen([*eip, "index"], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for t in threads:
            t.join(timeout=SECONDS + 300)
        elapsed = time.perf_counter() - began
        out, err = indexer.communicate(timeout=600)
        assert indexer.returncode == 0, err.decode()[-2000:]
        assert b"Indexed 1 file(s)" in out, out.decode()

        errors = [e for _, e in results if e]
        latencies = sorted(t for t, _ in results)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        summary = (f"{len(results)} answers in {elapsed:.0f} s from {CLIENTS} clients: "
                   f"{len(results) / elapsed:.1f} req/s, p95 {p95:.2f} s, {len(errors)} errors")
        print(summary)
        (tmp_path / "load-summary.txt").write_text(summary + "\n")
        assert errors == [], f"{summary}; first errors: {errors[:5]}"
        assert len(results) >= CLIENTS
    finally:
        if indexer is not None and indexer.poll() is None:
            indexer.kill()
            indexer.wait()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
