"""Chunks for the dossier tests (one zone document page unless told otherwise)."""

from __future__ import annotations

from assistant.types import Chunk


def chunk(
    cid: str,
    zone: str | None,
    text: str,
    *,
    source: str = "",
    date: str | None = "2024-01-01",
    page: int | None = 1,
    ordinal: int = 0,
) -> Chunk:
    source = source or f"zones/{zone}/doc.pdf"
    return Chunk(
        id=cid,
        text=text,
        source=source,
        page=page,
        section=None,
        doc_type="zone_document",
        zone=zone,
        title=source,
        date=date,
        file_hash="h-" + source,
        ordinal=ordinal,
    )
