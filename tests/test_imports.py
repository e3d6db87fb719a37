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
