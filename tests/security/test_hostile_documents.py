"""H2 and M4: hostile documents cost only themselves; one index builder at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.errors import ParseError
from assistant.storage.vectors import InMemoryStore
from indexing import build_index, open_index
from indexing.embed import HashingEmbedder
from indexing.lock import IndexLockedError, index_lock
from indexing.sandbox import ParseLimits, ParseWorker

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _corpus(root: Path) -> Path:
    zone = root / "zones" / "alpha"
    zone.mkdir(parents=True)
    for n in range(6):
        (zone / f"note-{n}.md").write_text(
            f"# Note {n}\n\n" + "\n\n".join(f"Paragraph {j} of note {n} on wastewater reuse."
                                           for j in range(30)), encoding="utf-8")
    shutil.copy(REPO / "corpus" / "zones" / "prey-nob-coastal" / "reports" /
                next(p.name for p in (REPO / "corpus" / "zones" / "prey-nob-coastal" / "reports")
                     .glob("*.pdf")), zone / "real-report.pdf")
    # Three times the default stream: a page then costs ~13 s of CPU here, well over the 5 s page
    # budget on any machine of this class (the default's ~4.3 s sits just under it on a quiet
    # core, and the file then runs into its 45 s CPU limit instead).
    hostile.many_pages_one_stream_pdf(zone / "stall.pdf", operators=300_000)
    hostile.docx_bomb(zone / "bomb.docx")
    hostile.markdown_heading_stall(zone / "heading.md")
    hostile.html_unclosed_tags(zone / "tags.html")
    return root


def test_hostile_files_are_reported_and_the_rest_is_indexed(settings, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    index = open_index(settings, embedder=HashingEmbedder(), store=InMemoryStore(),
                       must_exist=False)
    started = time.monotonic()
    report = build_index(index, corpus)
    elapsed = time.monotonic() - started
    failed = {f["source"]: f for f in report.failed}
    print(f"hostile corpus: {elapsed:.1f} s; failed {[(k, v['kind']) for k, v in failed.items()]}")
    assert elapsed < 30, elapsed
    assert failed["zones/alpha/stall.pdf"]["kind"] == "timeout"
    assert failed["zones/alpha/bomb.docx"]["kind"] == "too_large"
    assert set(failed) == {"zones/alpha/stall.pdf", "zones/alpha/bomb.docx"}
    # The stalling Markdown line and the unclosed tags now parse in linear time, as text.
    assert {"zones/alpha/heading.md", "zones/alpha/tags.html", "zones/alpha/real-report.pdf",
            *(f"zones/alpha/note-{n}.md" for n in range(6))} <= set(report.indexed)
    for failure in failed.values():  # reasons name the corpus file, not the server path
        assert str(corpus) not in failure["reason"] and str(tmp_path) not in failure["reason"]
    assert index.store.ids() == index.docs.chunk_ids()


def test_questions_are_answered_while_hostile_files_are_indexed(settings, tmp_path: Path) -> None:
    """Parsing runs in another process, so it never holds the answering process's GIL."""
    from assistant.service import build_assistant

    small = tmp_path / "small"
    (small / "zones" / "alpha").mkdir(parents=True)
    (small / "zones" / "alpha" / "a.md").write_text("# Water\n\nThe zone treats all of its "
                                                    "industrial wastewater.\n")
    reader = open_index(settings, embedder=HashingEmbedder(), store=InMemoryStore(),
                        must_exist=False)
    build_index(reader, small)
    assistant = build_assistant(settings.model_copy(update={"min_evidence_score": 0.0}),
                                index=reader)
    other = settings.model_copy(update={"data_dir": tmp_path / "other"})
    writer = open_index(other, embedder=HashingEmbedder(), store=InMemoryStore(), must_exist=False)
    corpus = _corpus(tmp_path / "hostile")
    thread = threading.Thread(target=build_index, args=(writer, corpus))
    thread.start()
    slowest = 0.0
    answered = 0
    while thread.is_alive():
        started = time.monotonic()
        assistant.ask("How much industrial wastewater does the zone treat?")
        slowest = max(slowest, time.monotonic() - started)
        answered += 1
    thread.join()
    print(f"answered {answered} questions meanwhile; slowest {slowest:.2f} s")
    assert answered >= 5 and slowest < 2.0


def test_wall_clock_cpu_and_memory_limits_end_one_file(tmp_path: Path) -> None:
    stall = hostile.many_pages_one_stream_pdf(tmp_path / "stall.pdf")
    fine = tmp_path / "fine.md"
    fine.write_text("# Fine\n\nA normal file.\n")
    cases = [(ParseLimits(timeout=2, page_seconds=1000, cpu_seconds=1000), "took more than 2 s"),
             (ParseLimits(cpu_seconds=2, page_seconds=1000), "more than 2 s of CPU"),
             (ParseLimits(page_seconds=1), "page 1 took more than 1 s of CPU")]
    for limits, message in cases:
        worker = ParseWorker(limits)
        try:
            started = time.monotonic()
            with pytest.raises(ParseError, match=message) as err:
                worker.parse(stall, "zones/x/stall.pdf")
            assert err.value.kind == "timeout" and time.monotonic() - started < 20
            assert worker.parse(fine, "zones/x/fine.md").sections  # the next file is fine
        finally:
            worker.close()
    big = tmp_path / "big.txt"
    big.write_text(("word " * 2_000 + "\n\n") * 4_000)  # 40 MB of text
    worker = ParseWorker(ParseLimits(memory_mb=120))
    try:
        with pytest.raises(ParseError, match="memory") as err:
            worker.parse(big, "zones/x/big.txt")
        assert err.value.kind == "too_large"
        assert worker.parse(fine, "zones/x/fine.md").sections
    finally:
        worker.close()
    assert worker.started <= 2


def test_extracted_characters_are_capped(tmp_path: Path) -> None:
    from indexing.parse import parse_file

    path = tmp_path / "long.txt"
    path.write_text("wastewater " * 20_000)
    with pytest.raises(ParseError, match="characters") as err:
        parse_file(path, max_chars=100_000)
    assert err.value.kind == "too_large"
    doc = parse_file(path)  # one 220,000-character line: cut before any regex sees it
    assert max(len(line) for s in doc.sections for line in s.text.split("\n")) <= 10_000


# ----------------------------------------------------------------------------- M4
def _holder(data: Path, seconds: float) -> subprocess.Popen[str]:
    code = ("import sys, time; from pathlib import Path; from indexing.lock import index_lock\n"
            f"with index_lock(Path({str(data)!r})):\n    print('held', flush=True); "
            f"time.sleep({seconds})")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_builder_waits_or_fails_clearly(settings, tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    (corpus / "zones" / "z").mkdir(parents=True)
    (corpus / "zones" / "z" / "a.md").write_text("# A\n\nSome text.\n")
    holder = _holder(settings.data_dir, 4)
    try:
        impatient = settings.model_copy(update={"index_lock_timeout": 0.5})
        index = open_index(impatient, embedder=HashingEmbedder(), store=InMemoryStore(),
                           must_exist=False)
        with pytest.raises(IndexLockedError, match=rf"pid {holder.pid}.*waited 0 s"):
            build_index(index, corpus)
        patient = settings.model_copy(update={"index_lock_timeout": 60})
        index = open_index(patient, embedder=HashingEmbedder(), store=InMemoryStore(),
                           must_exist=False)
        started = time.monotonic()
        report = build_index(index, corpus)  # waits for the holder, then builds
        assert report.indexed == ["zones/z/a.md"] and time.monotonic() - started > 1
    finally:
        holder.kill()
        holder.wait()
    with index_lock(settings.data_dir, timeout=0):  # released: free again at once
        pass


@pytest.mark.slow
def test_two_builder_processes_lose_no_vector(settings, tmp_path: Path) -> None:
    from assistant.storage.vectors import ChromaStore

    corpus = tmp_path / "corpus"
    for zone in ("alpha", "beta"):
        (corpus / "zones" / zone).mkdir(parents=True)
        for n in range(8):
            (corpus / "zones" / zone / f"n{n}.md").write_text(
                "\n\n".join(f"Paragraph {j} of {zone} note {n} on energy." for j in range(40)))
    data = tmp_path / "shared"
    env = {**os.environ, "PYTHONPATH": str(REPO), "EIP_DATA_DIR": str(data)}
    worker = Path(__file__).with_name("build_worker.py")
    procs = [subprocess.Popen([sys.executable, str(worker), str(corpus)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    shared = settings.model_copy(update={"data_dir": data})
    index = open_index(shared, embedder=HashingEmbedder(), store=ChromaStore(shared))
    assert len(index.docs.files()) == 16
    assert index.store.ids() == index.docs.chunk_ids() and index.docs.count() > 0
