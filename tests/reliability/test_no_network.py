"""No network at import, at app construction or while answering.

A fresh interpreter (so nothing is imported yet) installs a socket guard before anything
else, then imports the packages, builds the web app (not launched) and answers one question
extractively from a copy of the sample index. Every outgoing connection and every name
lookup is recorded and refused; the test asserts there were none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_CHILD = textwrap.dedent('''
    import json, socket, sys
    attempts = []

    def _refuse(kind):
        def guard(*args, **kwargs):
            attempts.append([kind, repr(args[1:] if kind == "connect" else args)[:200]])
            raise OSError(f"network blocked by the test: {kind}")
        return guard

    socket.socket.connect = _refuse("connect")
    socket.socket.connect_ex = _refuse("connect")
    socket.create_connection = _refuse("create_connection")
    socket.getaddrinfo = _refuse("getaddrinfo")
    socket.gethostbyname = _refuse("gethostbyname")

    import assistant, indexing, evals, assistant.ui  # noqa: E401
    from assistant.settings import Settings
    from assistant.ui import build_services
    from assistant.ui.app import build_app

    settings = Settings(data_dir=sys.argv[1], corpus_dir=sys.argv[2])
    services = build_services(settings)
    app = build_app(services)
    answer = services.assistant.ask(sys.argv[3])
    services.close()
    print(json.dumps({"attempts": attempts, "answer": answer.text,
                      "citations": len(answer.citations), "app": type(app).__name__}))
''')


@pytest.mark.slow
def test_nothing_reaches_for_the_network(sample_data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EIP_", "HTTP", "http"))}
    env.update(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False",
               EIP_CONFIG=str(sample_data_dir / "no-such.toml"))
    question = "What threshold does ENV-12 set for industrial wastewater?"
    out = subprocess.run([sys.executable, "-c", _CHILD, str(sample_data_dir),
                          str(REPO / "corpus"), question],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert result["app"] == "Blocks"
    assert "100%" in result["answer"] and result["citations"] > 0, result["answer"]


def test_the_guard_of_this_suite_refuses_the_network() -> None:
    """The autouse guard in tests/conftest.py is active: a public address is refused."""
    import socket

    with socket.socket() as sock, pytest.raises(RuntimeError, match="reach the network"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
