"""Review store contract (per backend), crash safety, incremental re-drafting and stale marking."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.catalogue import Criterion
from assistant.dossier_runner import run_dossier
from assistant.errors import EIPError
from assistant.reviews import (
    ReviewError,
    ReviewStore,
    draft_from_json,
    draft_to_json,
)
from assistant.types import CriterionDraft, EvidenceItem

REPO = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- backends
def _sqlite_target(tmp_path: Path) -> str:
    return str(tmp_path / "reviews.db")


def _postgresql_target(tmp_path: Path) -> str:
    """Placeholder: the ``target`` fixture resolves PostgreSQL through ``postgres_url``."""
    raise NotImplementedError


#: Backends the store contract runs against. PostgreSQL runs on a private server that the
#: ``postgres_server`` fixture (tests/conftest.py) starts, or on the throw-away database named
#: by EIP_TEST_DATABASE_URL when that is set; without PostgreSQL those tests skip, saying why.
BACKENDS: dict[str, Callable[[Path], str]] = {
    "sqlite": _sqlite_target, "postgresql": _postgresql_target,
}
_EXTERNAL_PG = os.environ.get("EIP_TEST_DATABASE_URL")


@pytest.fixture(params=sorted(BACKENDS))
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL or path of an empty review database on each configured backend."""
    if request.param != "postgresql":
        return BACKENDS[request.param](tmp_path)
    if not _EXTERNAL_PG:
        return str(request.getfixturevalue("postgres_url"))
    from sqlalchemy import create_engine

    from assistant.reviews import metadata

    engine = create_engine(_EXTERNAL_PG)
    metadata.drop_all(engine)
    engine.dispose()
    return _EXTERNAL_PG


@pytest.fixture
def store(target: str) -> Iterator[ReviewStore]:
    s = ReviewStore(target)
    yield s
    s.close()


# ----------------------------------------------------------------------------- helpers
def ev(file: str, page: int = 1, quote: str = "quoted text", file_hash: str = "h") -> EvidenceItem:
    return EvidenceItem(file=file, page=page, quote=quote, score=0.7, file_hash=file_hash)


def make_draft(criterion: str = "ENV-12", status: str = "meets", zone: str = "z1",
               evidence: tuple[EvidenceItem, ...] = (), justification: str = "Because [1].",
               category: str = "environmental") -> CriterionDraft:
    return CriterionDraft(zone=zone, criterion_id=criterion, category=category,
                          title=f"Title of {criterion}", requirement="Requirement text",
                          status=status, confidence=0.8, rationale="deciding quote",
                          justification=justification, evidence=evidence,
                          gaps=("a gap",) if status != "meets" else ())


def seeded(store: ReviewStore, criterion: str = "ENV-12", status: str = "meets") -> CriterionDraft:
    d = make_draft(criterion, status, evidence=(ev("zones/z1/a.pdf", file_hash="h1"),))
    store.save_draft(d, {"zones/z1/a.pdf": "h1"})
    return d


# ----------------------------------------------------------------------------- contract
def test_draft_round_trips_through_json() -> None:
    d = make_draft(evidence=(ev("a.pdf", 3), ev("b.pdf", None)), status="partially_meets")
    assert draft_from_json(draft_to_json(d)) == d


def test_saved_draft_is_read_back(store: ReviewStore) -> None:
    d = seeded(store)
    cell = store.cell("z1", "ENV-12")
    assert cell is not None and cell.draft == d
    assert cell.review is None and not cell.stale and cell.effective_status == "meets"
    assert cell.source_hashes == {"zones/z1/a.pdf": "h1"}
    assert store.cell("z1", "ENV-13") is None
    assert [c.criterion_id for c in store.drafts("z1")] == ["ENV-12"]
    assert store.drafts("other") == []


def test_history_is_append_only_and_oldest_first(store: ReviewStore) -> None:
    seeded(store)
    first = store.review("z1", "ENV-12", action="accept", reviewer="Ana")
    store.review("z1", "ENV-12", action="edit", reviewer="Bo", comment="p. 4 says 85%",
                 status="partially_meets")
    store.review("z1", "ENV-12", action="reject", reviewer="Chan", comment="wrong plant")
    history = store.history("z1", "ENV-12")
    assert [e.action for e in history] == ["accept", "edit", "reject"]
    assert [e.reviewer for e in history] == ["Ana", "Bo", "Chan"]
    assert history[0] == first  # earlier events are never rewritten
    assert [e.id for e in history] == sorted(e.id for e in history)
    assert all(e.at for e in history)


def test_effective_status_follows_the_latest_review(store: ReviewStore) -> None:
    seeded(store, status="meets")
    store.review("z1", "ENV-12", action="accept", reviewer="Ana")
    assert store.cell("z1", "ENV-12").effective_status == "meets"

    store.review("z1", "ENV-12", action="edit", reviewer="Bo", comment="only 85% treated",
                 status="partially_meets", justification="Only 85% is treated [1].")
    cell = store.cell("z1", "ENV-12")
    assert cell.effective_status == "partially_meets"
    assert cell.effective_justification == "Only 85% is treated [1]."
    assert cell.draft.status == "meets"  # the draft itself is untouched
    assert cell.effective_draft().status == "partially_meets"

    event = store.review("z1", "ENV-12", action="accept", reviewer="Chan")
    assert event.status == "partially_meets"  # accept confirms what was shown
    assert store.cell("z1", "ENV-12").effective_status == "partially_meets"

    store.review("z1", "ENV-12", action="reject", reviewer="Dara", comment="evidence misread")
    cell = store.cell("z1", "ENV-12")
    assert cell.rejected and cell.effective_status == "meets"
    assert cell.effective_justification == cell.draft.justification


def test_edit_of_justification_only_keeps_status(store: ReviewStore) -> None:
    seeded(store, status="does_not_meet")
    e = store.review("z1", "ENV-12", action="edit", reviewer="Ana", comment="clearer",
                     justification="No treatment plant exists [1].")
    assert e.status == "does_not_meet"
    assert store.cell("z1", "ENV-12").effective_justification == "No treatment plant exists [1]."


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"action": "edit", "reviewer": "Ana", "comment": "x", "status": "great"}, "unknown status"),
    ({"action": "accept", "reviewer": "  "}, "reviewer"),
    ({"action": "edit", "reviewer": "Ana", "comment": "x"}, "needs a new status"),
    ({"action": "reject", "reviewer": "Ana"}, "needs a comment"),
    ({"action": "edit", "reviewer": "Ana", "status": "meets"}, "needs a comment"),
    ({"action": "accept", "reviewer": "Ana", "status": "meets"}, "takes no status"),
    ({"action": "approve", "reviewer": "Ana"}, "unknown review action"),
])
def test_invalid_reviews_are_refused(store: ReviewStore, kwargs: dict, message: str) -> None:
    seeded(store)
    with pytest.raises(ReviewError, match=message):
        store.review("z1", "ENV-12", **kwargs)
    assert store.history("z1", "ENV-12") == []


def test_review_of_an_undrafted_cell_is_refused(store: ReviewStore) -> None:
    with pytest.raises(EIPError, match="eip draft --zone z1"):
        store.review("z1", "ENV-12", action="accept", reviewer="Ana")


def test_draft_with_unknown_status_is_refused(store: ReviewStore) -> None:
    with pytest.raises(ReviewError, match="unknown status"):
        store.save_draft(make_draft(status="fine"), {})


def test_data_survives_reopening(target: str) -> None:
    with ReviewStore(target) as s1:
        seeded(s1)
        s1.review("z1", "ENV-12", action="edit", reviewer="Ana", comment="c",
                  status="does_not_meet")
        s1.activity.feedback("q?", "a.", 1)
    with ReviewStore(target) as s2:
        assert s2.cell("z1", "ENV-12").effective_status == "does_not_meet"
        assert len(s2.history("z1", "ENV-12")) == 1
        assert len(s2.activity.feedback_entries()) == 1


def test_two_instances_share_one_history(target: str) -> None:
    a, b = ReviewStore(target), ReviewStore(target)
    try:
        seeded(a)
        a.review("z1", "ENV-12", action="accept", reviewer="Ana")
        b.review("z1", "ENV-12", action="edit", reviewer="Bo", comment="c",
                 status="partially_meets")
        assert [e.reviewer for e in a.history("z1", "ENV-12")] == ["Ana", "Bo"]
        assert a.cell("z1", "ENV-12").effective_status == "partially_meets"
    finally:
        a.close()
        b.close()


def test_feedback_rows(store: ReviewStore) -> None:
    store.activity.feedback("Which zones treat all wastewater?", "Mekong Riverside [1].", 1,
                   comment="good", user="ana")
    store.activity.feedback("What about Poipet?", "The documents do not answer.", -1)
    rows = store.activity.feedback_entries()
    assert [r["rating"] for r in rows] == [-1, 1]  # newest first
    assert rows[1]["user"] == "ana" and rows[1]["comment"] == "good" and rows[1]["at"]
    for bad in (0, 5, True):
        with pytest.raises(ReviewError, match="rating"):
            store.activity.feedback("q", "a", bad)
    with pytest.raises(ReviewError, match="question"):
        store.activity.feedback(" ", "a", 1)
    assert len(store.activity.feedback_entries()) == 2


def test_changed_cells_by_hash(store: ReviewStore) -> None:
    store.save_draft(make_draft("ENV-12", evidence=(ev("a.pdf"),)), {"a.pdf": "h1"})
    store.save_draft(make_draft("SOC-4", evidence=(ev("b.pdf"),), category="social"),
                     {"b.pdf": "h2"})
    store.save_draft(make_draft("ECO-4", "insufficient_evidence", category="economic"),
                     {"a.pdf": "h1", "b.pdf": "h2"})
    assert store.changed_cells("z1", {"a.pdf": "h1", "b.pdf": "h2"}) == []
    assert store.changed_cells("z1", {"a.pdf": "h9", "b.pdf": "h2"}) == ["ENV-12", "ECO-4"]
    assert store.changed_cells("z1", {"a.pdf": "h1"}) == ["SOC-4", "ECO-4"]  # b.pdf removed
    # A new file can only matter to the cell that found no evidence.
    assert store.changed_cells("z1", {"a.pdf": "h1", "b.pdf": "h2", "c.pdf": "h3"}) == ["ECO-4"]


def test_reviewed_cell_is_marked_stale_not_replaced(store: ReviewStore) -> None:
    seeded(store, status="meets")
    store.review("z1", "ENV-12", action="edit", reviewer="Ana", comment="85% only",
                 status="partially_meets")
    store.mark_stale("z1", ["ENV-12"])
    redraft = make_draft("ENV-12", "does_not_meet",
                         evidence=(ev("zones/z1/a.pdf", file_hash="h2"),))
    store.save_draft(redraft, {"zones/z1/a.pdf": "h2"})

    cell = store.cell("z1", "ENV-12")
    assert cell.stale
    assert cell.draft.status == "meets" and cell.pending == redraft
    assert cell.effective_status == "partially_meets"  # the review still stands
    assert store.changed_cells("z1", {"zones/z1/a.pdf": "h2"}) == []  # redraft saw the new file
    assert len(store.draft_history("z1", "ENV-12")) == 2

    event = store.review("z1", "ENV-12", action="accept", reviewer="Bo", comment="new report")
    cell = store.cell("z1", "ENV-12")
    assert not cell.stale and cell.pending is None
    assert cell.draft == redraft and event.status == "does_not_meet"
    assert [e.action for e in store.history("z1", "ENV-12")] == ["edit", "accept"]


def test_unreviewed_cell_takes_the_new_draft(store: ReviewStore) -> None:
    seeded(store, status="meets")
    store.mark_stale("z1", ["ENV-12"])
    assert store.cell("z1", "ENV-12").stale
    store.save_draft(make_draft("ENV-12", "partially_meets"), {})
    cell = store.cell("z1", "ENV-12")
    assert not cell.stale and cell.pending is None and cell.effective_status == "partially_meets"


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "data" / "reviews.db"
    ReviewStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_from_settings_prefers_database_url(tmp_path: Path) -> None:
    from assistant.settings import Settings

    s = ReviewStore.from_settings(Settings(data_dir=tmp_path / "d"))
    assert s.is_sqlite and Path(s.url.database) == (tmp_path / "d" / "reviews.db").resolve()
    s.close()
    url = f"sqlite+pysqlite:///{tmp_path / 'other.db'}"
    s = ReviewStore.from_settings(Settings(data_dir=tmp_path / "d", database_url=url))
    assert Path(s.url.database) == tmp_path / "other.db"
    s.close()


# ----------------------------------------------------------------------------- process killed
_CHILD = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from assistant.reviews import ReviewStore, draft_from_json, events_table

    target, draft_json, hang = sys.argv[1], sys.argv[2], sys.argv[3]
    store = ReviewStore(target)
    draft = draft_from_json(draft_json)
    store.save_draft(draft, {"zones/z1/a.pdf": "h1"})
    store.review("z1", "ENV-12", action="accept", reviewer="first", comment="ok")
    print("REVIEW1", flush=True)

    @event.listens_for(Engine, "after_execute")
    def _hang(conn, clause, *args):
        if hang == "mid" and getattr(clause, "table", None) is events_table and clause.is_insert:
            print("REVIEW2", flush=True)  # inserted, not committed
            time.sleep(600)

    store.review("z1", "ENV-12", action="edit", reviewer="second", comment="changed",
                 status="does_not_meet")
    print("REVIEW2", flush=True)  # committed
    time.sleep(600)
""")


@pytest.mark.parametrize(("hang", "expected"), [
    ("mid", ["first"]),            # killed inside review 2's transaction
    ("after", ["first", "second"]),  # killed after review 2 committed, store never closed
])
def test_history_survives_a_killed_process(target: str, hang: str, expected: list[str]) -> None:
    draft = make_draft("ENV-12", "meets", evidence=(ev("zones/z1/a.pdf", file_hash="h1"),))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, target, draft_to_json(draft), hang],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while len(lines) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
        assert lines == ["REVIEW1", "REVIEW2"], (
            proc.stderr.read() if proc.poll() is not None else lines)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    with ReviewStore(target) as s:
        assert [e.reviewer for e in s.history("z1", "ENV-12")] == expected
        status = "meets" if expected == ["first"] else "does_not_meet"
        assert s.cell("z1", "ENV-12").effective_status == status
        # The lock died with the process: the database takes new reviews at once.
        s.review("z1", "ENV-12", action="accept", reviewer="third")
        assert [e.reviewer for e in s.history("z1", "ENV-12")] == [*expected, "third"]
    if not target.count("://"):
        with sqlite3.connect(target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ----------------------------------------------------------------------------- incremental runs
def crit(cid: str, category: str) -> Criterion:
    # The definition make_draft writes: a draft carries the criterion it was drafted against.
    return Criterion(id=cid, category=category, subcategory="s", title=f"Title of {cid}",
                     requirement="Requirement text", level="park", indicator="i")


CRITERIA = [crit("PRE-1", "prerequisite"), crit("ENV-12", "environmental"),
            crit("SOC-4", "social"), crit("ECO-4", "economic")]


class FakeDocs:
    def __init__(self, hashes: dict[str, str]) -> None:
        self.hashes = hashes

    def files(self) -> dict[str, SimpleNamespace]:
        recs = {s: SimpleNamespace(sha256=h, zone="z1", status="indexed")
                for s, h in self.hashes.items()}
        recs["zones/z2/x.pdf"] = SimpleNamespace(sha256="other", zone="z2", status="indexed")
        return recs


class FakeDrafter:
    """Evidence per criterion from a fixed file; ECO-4 never finds any."""

    SOURCES = {"PRE-1": "zones/z1/a.pdf", "ENV-12": "zones/z1/a.pdf", "SOC-4": "zones/z1/b.pdf"}

    def __init__(self, docs: FakeDocs, status: str = "meets", fail_on: str | None = None) -> None:
        self.docs, self.status, self.fail_on = docs, status, fail_on
        self.calls: list[str] = []

    def draft(self, zone_id: str, criterion: Criterion) -> CriterionDraft:
        if criterion.id == self.fail_on:
            raise RuntimeError("model crashed")
        self.calls.append(criterion.id)
        source = self.SOURCES.get(criterion.id)
        if source is None:
            return replace(make_draft(criterion.id, "insufficient_evidence", zone=zone_id,
                                      category=criterion.category), justification="")
        return make_draft(criterion.id, self.status, zone=zone_id, category=criterion.category,
                          evidence=(ev(source, file_hash=self.docs.hashes[source]),))


def test_run_drafts_only_new_and_changed_cells(store: ReviewStore) -> None:
    docs = FakeDocs({"zones/z1/a.pdf": "a1", "zones/z1/b.pdf": "b1"})
    drafter = FakeDrafter(docs)
    progress: list[tuple[int, int]] = []
    dossier = run_dossier(drafter, store, docs, "z1", CRITERIA,
                          on_progress=lambda d, t: progress.append((d, t)), zone_name="Zone One",
                          framework="EIP v2")
    assert drafter.calls == ["PRE-1", "ENV-12", "SOC-4", "ECO-4"]
    assert progress[-1] == (4, 4)
    assert [d.criterion_id for d in dossier.drafts] == [c.id for c in CRITERIA]
    assert dossier.zone_name == "Zone One" and dossier.framework == "EIP v2"

    drafter.calls.clear()
    run_dossier(drafter, store, docs, "z1", CRITERIA)
    assert drafter.calls == []  # nothing changed, nothing drafted

    store.review("z1", "ENV-12", action="edit", reviewer="Ana", comment="85% only",
                 status="partially_meets")
    store.review("z1", "SOC-4", action="accept", reviewer="Ana")
    docs.hashes["zones/z1/a.pdf"] = "a2"  # the report behind PRE-1 and ENV-12 changed
    drafter.status = "does_not_meet"
    dossier = run_dossier(drafter, store, docs, "z1", CRITERIA)
    assert drafter.calls == ["PRE-1", "ENV-12", "ECO-4"]  # ECO-4: no evidence, any change counts

    env12, pre1, soc4 = (store.cell("z1", c) for c in ("ENV-12", "PRE-1", "SOC-4"))
    assert env12.stale and env12.pending.status == "does_not_meet"
    assert env12.effective_status == "partially_meets"  # never silently replaced
    assert not pre1.stale and pre1.effective_status == "does_not_meet"  # unreviewed: replaced
    assert not soc4.stale and soc4.effective_status == "meets"  # its file did not change
    statuses = {d.criterion_id: d.status for d in dossier.drafts}
    assert statuses == {"PRE-1": "does_not_meet", "ENV-12": "partially_meets",
                        "SOC-4": "meets", "ECO-4": "insufficient_evidence"}

    drafter.calls.clear()
    run_dossier(drafter, store, docs, "z1", CRITERIA)
    assert drafter.calls == []  # the pending redraft already reflects the new file
    assert store.cell("z1", "ENV-12").stale  # until a reviewer looks at it


def test_changed_cells_outside_the_request_are_flagged_not_drafted(store: ReviewStore) -> None:
    docs = FakeDocs({"zones/z1/a.pdf": "a1", "zones/z1/b.pdf": "b1"})
    run_dossier(FakeDrafter(docs), store, docs, "z1", CRITERIA)
    docs.hashes["zones/z1/a.pdf"] = "a2"
    drafter = FakeDrafter(docs)
    run_dossier(drafter, store, docs, "z1", [CRITERIA[2]])  # only SOC-4 asked for
    assert drafter.calls == []
    assert [c.criterion_id for c in store.drafts("z1") if c.stale] == ["PRE-1", "ENV-12", "ECO-4"]


def test_new_file_redrafts_only_cells_without_evidence(store: ReviewStore) -> None:
    docs = FakeDocs({"zones/z1/a.pdf": "a1", "zones/z1/b.pdf": "b1"})
    drafter = FakeDrafter(docs)
    run_dossier(drafter, store, docs, "z1", CRITERIA)
    drafter.calls.clear()
    docs.hashes["zones/z1/c.pdf"] = "c1"
    run_dossier(drafter, store, docs, "z1", CRITERIA)
    assert drafter.calls == ["ECO-4"]


def test_interrupted_run_resumes_where_it_stopped(store: ReviewStore) -> None:
    docs = FakeDocs({"zones/z1/a.pdf": "a1", "zones/z1/b.pdf": "b1"})
    with pytest.raises(RuntimeError):
        run_dossier(FakeDrafter(docs, fail_on="SOC-4"), store, docs, "z1", CRITERIA)
    assert [c.criterion_id for c in store.drafts("z1")] == ["PRE-1", "ENV-12"]
    drafter = FakeDrafter(docs)
    run_dossier(drafter, store, docs, "z1", CRITERIA)
    assert drafter.calls == ["SOC-4", "ECO-4"]


def test_stale_flag_is_set_before_redrafting(store: ReviewStore) -> None:
    docs = FakeDocs({"zones/z1/a.pdf": "a1", "zones/z1/b.pdf": "b1"})
    run_dossier(FakeDrafter(docs), store, docs, "z1", CRITERIA)
    store.review("z1", "ENV-12", action="accept", reviewer="Ana")
    docs.hashes["zones/z1/a.pdf"] = "a2"
    with pytest.raises(RuntimeError):
        run_dossier(FakeDrafter(docs, fail_on="ENV-12"), store, docs, "z1", CRITERIA)
    cell = store.cell("z1", "ENV-12")
    assert cell.stale and cell.pending is None and cell.effective_status == "meets"
