"""Load run: concurrent chat clients against ``eip serve`` on loopback.

The app publishes no client API (every event is private), so the clients speak the same
HTTP protocol as the browser: ``POST /gradio_api/queue/join`` with the Ask button's event,
then read ``/gradio_api/queue/data`` (server-sent events) until ``process_completed``. The
event and its inputs are found in ``/config`` by the button's ``elem_id`` (``eip-ask``).

    python -m bench.serve --clients 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ask_event(config: dict[str, Any]) -> tuple[int, int, list[Any]]:
    """(fn_index, trigger id, default input values) of the chat's Ask button."""
    comps = {c["id"]: c for c in config["components"]}
    button = next(i for i, c in comps.items() if c.get("props", {}).get("elem_id") == "eip-ask")
    for n, dep in enumerate(config["dependencies"]):
        if any(t[0] == button for t in dep.get("targets", [])):
            defaults = []
            for i in dep["inputs"]:
                c = comps[i]
                value = c.get("props", {}).get("value")
                defaults.append([] if c["type"] == "chatbot" else value)
            return int(dep.get("id", n)), button, defaults
    raise LookupError("no event bound to the eip-ask button in /config")


def one_request(client: Any, base: str, fn_index: int, trigger: int, data: list[Any],
                timeout: float = 120.0) -> tuple[bool, str]:
    """Send one question through the queue; (success, error text)."""
    session = uuid.uuid4().hex[:12]
    r = client.post(f"{base}/gradio_api/queue/join",
                    json={"data": data, "event_data": None, "fn_index": fn_index,
                          "trigger_id": trigger, "session_hash": session})
    if r.status_code != 200:
        return False, f"join HTTP {r.status_code}: {r.text[:120]}"
    deadline = time.monotonic() + timeout
    with client.stream("GET", f"{base}/gradio_api/queue/data",
                       params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            kind = msg.get("msg")
            if kind == "process_completed":
                ok = bool(msg.get("success"))
                return ok, "" if ok else f"failed: {str(msg.get('output'))[:160]}"
            if kind in ("queue_full", "unexpected_error"):
                return False, kind
            if time.monotonic() > deadline:
                return False, "timeout"
    return False, "stream ended early"


def load(base: str, questions: list[str], *, clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    with httpx.Client(timeout=30) as c:
        config = c.get(f"{base}/config").json()
    fn_index, trigger, defaults = ask_event(config)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    counter = iter(range(10**9))

    def worker() -> None:
        with httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0)) as client:
            while time.monotonic() < stop_at:
                q = questions[next(counter) % len(questions)]
                data = list(defaults)
                data[0] = q
                t = time.perf_counter()
                try:
                    ok, err = one_request(client, base, fn_index, trigger, data)
                except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
                    ok, err = False, f"{type(exc).__name__}: {exc}"
                with lock:
                    if ok:
                        latencies.append(time.perf_counter() - t)
                    else:
                        errors.append(err)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    arr = np.asarray(latencies) if latencies else np.zeros(1)
    return {"clients": clients, "seconds": elapsed, "requests": len(latencies),
            "requests_per_s": len(latencies) / elapsed, "p50_s": float(np.percentile(arr, 50)),
            "p95_s": float(np.percentile(arr, 95)), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5]}


RSS_AFTER = 100  # answers before the server's resident memory is read


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its children, MiB (Linux ``/proc``)."""
    def own(p: int) -> int:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    total = own(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for kid in child.read_text().split():
            try:
                total += own(int(kid))
            except OSError:
                pass
    return total / 1024


def run(data: Path, *, clients: int = 20, seconds: float = 60.0, backend: str | None = None,
        log: Any = print) -> dict[str, Any]:
    """Start ``eip serve`` on a free loopback port over ``data``, load it, stop it."""
    import httpx

    from evals.runner import load_questions

    port = free_port()
    env = dict(os.environ, EIP_DATA_DIR=str(data), EIP_PORT=str(port), EIP_HOST="127.0.0.1",
               EIP_CONFIG=str(ROOT / "bench" / ".work" / "no-eip.toml"), EIP_ANSWERER="extractive",
               GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env.pop("EIP_AUTH_USERS", None)
    env.pop("EIP_AUTH_FILE", None)
    if backend:
        env["EIP_EMBEDDING_BACKEND"] = backend
    log_path = data.parent / f"serve-{port}.log"
    with open(log_path, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve"], cwd=ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"eip serve exited ({server.returncode}): "
                                   f"{log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/config", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("eip serve did not come up within 180 s")
            time.sleep(1)
        questions = [q.question for q in load_questions(ROOT / "evals" / "questions.jsonl")]
        load(base, questions[:4], clients=2, seconds=1)  # warm: model, index pages
        result = load(base, questions, clients=clients, seconds=seconds)
        answered = result["requests"]
        while answered < RSS_AFTER:  # a short load run: top up to RSS_AFTER answers
            answered += load(base, questions, clients=4, seconds=5)["requests"]
        result["rss_mib"] = rss_mib(server.pid)
        result["rss_after_answers"] = answered
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log(f"  serve: {result['clients']} clients x {seconds:.0f} s: {result['requests']} answers, "
        f"{result['requests_per_s']:.2f} req/s, p50 {result['p50_s']:.2f} s, "
        f"p95 {result['p95_s']:.2f} s, {result['errors']} errors; RSS {result['rss_mib']:.0f} MiB "
        f"after {result['rss_after_answers']} answers")
    return result


def main(argv: list[str] | None = None) -> int:
    from bench.query import WORK, build_sample_index

    ap = argparse.ArgumentParser(prog="python -m bench.serve")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--backend")
    args = ap.parse_args(argv)
    data = build_sample_index(WORK / f"query-sample-{args.backend or 'default'}", backend=args.backend)
    print(json.dumps(run(data, clients=args.clients, seconds=args.seconds, backend=args.backend),
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
