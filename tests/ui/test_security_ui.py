"""Security of the web app's pages (issue 18): inert document text (M1), long questions (H3)."""

from __future__ import annotations

import copy
import os
import re
import time
from pathlib import Path
from typing import Any

import gradio  # noqa: F401, E402  (a hard dependency: fail, never skip)
import pytest

from assistant.types import Answer, Citation
from assistant.ui import chat  # noqa: E402

HOSTILE = ("Treated ![](https://tracker.example/x.png) see [verify](https://phish.example) "
           "<img src=x onerror=alert(1)> https://bare.example www.bare.example **bold** "
           "<script>alert(1)</script> mail phish@example.org\n- item\n1. first\n---")


def _rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def _inert(markdown: str) -> None:
    html = _rendered(markdown)
    assert "<img" not in html and "<a " not in html and "<script" not in html, html
    assert "<strong>bold" not in html and "<ul>" not in html and "<ol>" not in html
    assert "<hr" not in html and "<h2" not in html
    # GFM autolinks need a literal "https://", "www." or "a@b" in the source; all are broken up.
    assert not re.search(r"[A-Za-z]://|\bwww\.|\w@", markdown), markdown


class _HostileStreamer:
    """An LLM answerer whose draft and checked answer carry document-borne markup."""

    mode = "llm"

    def __init__(self, question: str) -> None:
        self.final = Answer(question, HOSTILE + " [1]", abstained=False, mode="llm",
                            citations=(Citation(1, "zones/x/[a](https:evil).pdf", 2, HOSTILE,
                                                0.9, "zone_document", "x"),),
                            warnings=(f"note {HOSTILE}",))

    def answer(self, *args: Any) -> Answer:
        return self.final

    def stream(self, question: str, plan: Any, passages: Any, fw: Any) -> Any:
        yield HOSTILE[:40]
        yield HOSTILE[40:]
        yield self.final


def test_document_markup_in_answers_streams_and_warnings_is_inert(services: Any) -> None:
    fake = copy.copy(services.assistant)
    fake.answerer = _HostileStreamer("q")
    services._assistant = fake
    states = list(chat.stream_answer(services, "What is treated? ![](https://x.example/q)", [], []))
    messages = [m["content"] for state in states for m in state[0]]
    assert any("tracker" in m for m in messages[2:])  # the draft was shown while streaming
    for message in messages:
        if message != chat.SEARCHING:
            _inert(message)
    final = states[-1][0][-1]["content"]
    assert "Sources:" in final and "note" in final


def test_a_200kb_question_gets_the_length_message_at_once(services: Any) -> None:
    class Untouchable:
        mode = "extractive"

        def answer(self, *args: Any) -> Answer:
            raise AssertionError("a too-long question must not reach the answerer")

    fake = copy.copy(services.assistant)
    fake.answerer = Untouchable()
    services._assistant = fake
    states = list(chat.stream_answer(services, "why?" * 50_000, [], []))
    assert len(states) == 1
    history, turns, _, _, box = states[0]
    assert re.search(r"200,000 characters long; the limit is 2,000", history[-1]["content"]
                     .replace("\\", ""))
    assert turns == [] and box  # the question stays in the box to be shortened



ZONE = "prey-nob-coastal"


# ----------------------------------------------------------------------------- M2
def test_with_login_the_reviewer_is_the_logged_in_user(drafted: Any) -> None:
    from assistant.ui import dossier

    msg = dossier.review_criterion(drafted, ZONE, "ENV-12", "accept", "Mallory", user="alice")
    assert "as alice" in msg
    assert [e.reviewer for e in drafted.reviews.history(ZONE, "ENV-12")] == ["alice"]
    # Without a login the typed name is all there is.
    msg = dossier.review_criterion(drafted, ZONE, "ENV-12", "reject", "B. Chan",
                                   comment="not connected")
    assert "as B. Chan" in msg


# ----------------------------------------------------------------------------- M3
def _upload(services: Any, tmp_path: Path, name: str, text: str, **kwargs: Any) -> str:
    from assistant.ui import library

    src = tmp_path / "incoming" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(text)
    return library.upload_documents(services, [str(src)], "koh-kong-bay", **kwargs)


def test_uploads_are_recorded_and_replacing_needs_an_admin(services: Any, tmp_path: Path
                                                           ) -> None:
    import hashlib

    from assistant.ui import library

    services.settings = services.settings.model_copy(update={"admin_users": "alice, carol"})
    first = "# Audit 2025\n\nThe zone recycles 40% of its process water.\n"
    msg = _upload(services, tmp_path, "audit-m3.md", first, user="bob")
    assert "Saved 1 file(s)" in msg, msg
    refused = _upload(services, tmp_path, "audit-m3.md", "# Forged\n\nAll is well.\n",
                      overwrite=True, user="bob")
    assert "needs an admin" in refused
    target = services.corpus_dir / "zones" / "koh-kong-bay" / "audit-m3.md"
    assert target.read_text() == first
    second = "# Audit 2025 (corrected)\n\nThe zone recycles 35% of its process water.\n"
    msg = _upload(services, tmp_path, "audit-m3.md", second, overwrite=True, user="alice")
    assert "Saved 1 file(s)" in msg and target.read_text() == second
    log = services.reviews.activity.uploads()
    assert [(e["user"], e["file"], e["replaced"]) for e in log[:2]] == [
        ("alice", "zones/koh-kong-bay/audit-m3.md", True),
        ("bob", "zones/koh-kong-bay/audit-m3.md", False)]
    assert log[0]["sha256"] == hashlib.sha256(second.encode()).hexdigest()
    rows = library.upload_rows(services)
    assert rows[0][1:] == ["alice", "zones/koh-kong-bay/audit-m3.md",
                           log[0]["sha256"][:16], "replaced"]
    _, _, frame = library.refresh(services)
    assert list(frame.columns) == library.UPLOAD_COLUMNS and len(frame) >= 2
    # No login and no admins configured: one person on their own machine may replace.
    services.settings = services.settings.model_copy(update={"admin_users": None})
    assert library.may_replace(services, "") and not library.may_replace(services, "bob")


# ----------------------------------------------------------------------------- L
def test_ui_messages_show_no_server_path(services: Any) -> None:
    from assistant.ui import library

    corpus = str(services.corpus_dir.resolve())
    rows = library.library_rows(services)
    failed = [r for r in rows if r[5].startswith("✖")]
    assert failed and all(corpus not in str(cell) for r in rows for cell in r)
    assert "zones/prey-nob-coastal/scanned-letter.pdf" in failed[0][6]
    assert corpus not in library.library_summary(services)
    assert services.public(f"cannot read {corpus}/zones/a.pdf in {services.settings.data_dir}"
                           ) == "cannot read zones/a.pdf in <data dir>"


def test_temporary_files_are_private_and_cleaned(services: Any, tmp_path: Path) -> None:
    import gradio as gr

    from assistant.ui.app import build_app
    from assistant.ui.services import Services, private_temp_dir
    from assistant.ui.uploads import save_upload

    fresh = Services(settings=services.settings)
    assert fresh.export_dir == private_temp_dir("eip-exports-")
    assert fresh.export_dir.stat().st_mode & 0o077 == 0  # nobody else can list or read it
    old = services.new_export_dir()
    (old / "d.xlsx").write_text("x")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    newer = services.new_export_dir()
    assert not old.exists() and newer.exists()
    demo = build_app(services)
    assert isinstance(demo, gr.Blocks) and demo.delete_cache == (3600, 86400)
    cache = Path(os.environ["GRADIO_TEMP_DIR"])
    if cache.name.startswith("eip-gradio-"):  # not set by whoever runs the tests
        assert cache.stat().st_mode & 0o077 == 0
    # A failed copy leaves no half-written ".part" file behind.
    src = tmp_path / "x.md"
    src.write_text("# X\n\ntext\n")
    corpus = tmp_path / "c"
    (corpus / "zones" / "z1").mkdir(parents=True)

    def broken_replace(self: Path, target: Any) -> None:
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "replace", broken_replace)
        with pytest.raises(OSError):
            save_upload(corpus, "z1", src, "x.md")
    assert list((corpus / "zones" / "z1").iterdir()) == []
