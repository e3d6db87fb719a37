"""The pilot-selection brief: Markdown and DOCX from a review store built in the test."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from assistant import ops
from assistant.export.brief import RANKING_HEADER, write_brief
from assistant.settings import Settings

WEIGHTS = Settings().category_weights


def test_brief_markdown_ranks_cites_and_states_its_caveats(portfolio_store, catalogue, registry) -> None:  # type: ignore[no-untyped-def]
    brief = ops.brief(portfolio_store, catalogue, registry, WEIGHTS)
    text = write_brief(brief, "md", None)
    ranking = [z.zone for z in brief.card.zones]
    assert ranking[0] == "mekong-riverside"  # the only zone without a blocking prerequisite
    assert brief.recommendation[0].startswith("Recommend Mekong Riverside for the pilot")
    table = text[text.index("## Ranking"):text.index("## Weights")]
    assert [line.split("|")[2].strip() for line in table.splitlines() if line.startswith("| ")
            and line[2].isdigit()] == [z.name for z in brief.card.zones]
    assert "0 of 21 cells (0%) are reviewed" in text
    assert "environmental 0.4" in text and "Blocking rule:" in text
    # every [n] in the text is listed under Sources with its file and page
    import re
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", text.split("## Sources")[0])}
    assert markers == {c.marker for c in brief.citations} and markers
    sources = text.split("## Sources")[1]
    assert all(f"[{c.marker}] {c.file}, p. {c.page}" in sources for c in brief.citations)
    td = next(z for z in brief.zones if z.score.zone == "thnal-dach")
    assert any(line.startswith("PRE-2 ") and "To close it:" in line for line in td.blocking)


def test_brief_docx_holds_the_ranking_table_and_the_heatmap(portfolio_store, catalogue, registry,
                                                           tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    portfolio_store.review("koh-kong-bay", "PRE-4", action="edit", reviewer="A. Sok",
                           status="meets", comment="audit seen on site")
    portfolio_store.review("thnal-dach", "ENV-12", action="accept", reviewer="B. Lim")
    brief = ops.brief(portfolio_store, catalogue, registry, WEIGHTS)
    out = write_brief(brief, "docx", tmp_path / "brief.docx")
    doc = Document(str(out))
    table = doc.tables[0]
    assert tuple(c.text for c in table.rows[0].cells) == RANKING_HEADER
    assert [r.cells[1].text for r in table.rows[1:]] == [z.name for z in brief.card.zones]
    assert len(doc.inline_shapes) == 1  # the heatmap
    blob = next(r for r in doc.part.rels.values() if "image" in r.reltype).target_part.blob
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2 of 21 cells (10%) are reviewed" in text and "reviewed by B. Lim" in text
    assert not brief.card.zone("koh-kong-bay").blocked  # the reviewed status is the one in force


def test_brief_md_file_gets_its_heatmap_beside_it(portfolio_store, catalogue, registry,
                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    brief = ops.brief(portfolio_store, catalogue, registry, WEIGHTS)
    out = write_brief(brief, "md", tmp_path / "out" / "brief.md")
    assert "![Heatmap" in out.read_text() and (tmp_path / "out" / "brief-heatmap.png").exists()


def test_no_brief_without_drafts(tmp_path: Path, catalogue, registry) -> None:  # type: ignore[no-untyped-def]
    from assistant.reviews import ReviewStore

    with ReviewStore(tmp_path / "empty.db") as empty:
        assert ops.brief(empty, catalogue, registry, WEIGHTS) is None
