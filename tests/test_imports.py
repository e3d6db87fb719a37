"""`import assistant` and `import indexing` stay cheap and offline."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "chromadb", "gradio", "sentence_transformers", "langchain_openai", "matplotlib")


@pytest.mark.parametrize("module", ["assistant", "indexing", "evals", "assistant.cli"])
def test_import_does_not_load_heavy_libraries(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {module} loaded {out.stdout.strip()}"


def test_public_api() -> None:
    import assistant

    assert sorted(assistant.__all__) == sorted(
        ["REFUSAL", "Answer", "Chunk", "Citation", "EIPError", "IndexMismatchError",
         "IndexMissingError", "Settings", "load_settings"]
    )


# What the query path may not load once the ONNX export exists (tokenizers + onnxruntime do
# the embedding); chromadb, the store, is expected.
QUERY_PATH_FORBIDDEN = ("torch", "sentence_transformers", "transformers", "langchain_core",
                        "langchain_openai")
_ASK = (
    "import sys\n"
    "from assistant.cli import cli\n"
    "try:\n"
    "    cli(['--data-dir', sys.argv[1], 'ask', sys.argv[2]], standalone_mode=False)\n"
    "finally:\n"
    f"    print('LOADED=' + ','.join(m for m in {QUERY_PATH_FORBIDDEN!r} if m in sys.modules))\n"
)
_SERVE = (
    "import sys\n"
    "from assistant.settings import load_settings\n"
    "from assistant.ui import build_services\n"
    "from assistant.ui.app import build_app\n"
    "services = build_services(load_settings(data_dir=sys.argv[1]))\n"
    "build_app(services)\n"
    "print(services.assistant.ask(sys.argv[2]).text)\n"
    f"print('LOADED=' + ','.join(m for m in {QUERY_PATH_FORBIDDEN!r} if m in sys.modules))\n"
)
QUESTION = "How much of its wastewater does Prey Nob Coastal treat?"


def _loaded(code: str, data_dir: object) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", code, str(data_dir), QUESTION],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = next(line for line in out.stdout.splitlines() if line.startswith("LOADED="))
    return loaded.removeprefix("LOADED="), out.stdout


@pytest.mark.model
@pytest.mark.parametrize("path", ["ask", "serve"])
def test_query_path_loads_no_torch_once_the_onnx_export_exists(path: str, sample_data_dir, models_dir) -> None:
    from indexing.embed import OnnxEmbedder

    assert OnnxEmbedder(models_dir=models_dir).export_path().exists()  # made by the index build
    loaded, stdout = _loaded(_ASK if path == "ask" else _SERVE, sample_data_dir)
    assert loaded == "", f"`eip {path}` loaded {loaded}"
    assert "100%" in stdout  # it answered, from the ONNX model
