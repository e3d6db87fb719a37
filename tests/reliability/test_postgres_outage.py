"""PostgreSQL going away mid-session: a clear ReviewError, nothing half-saved, recovery."""

from __future__ import annotations

import pytest

from assistant.errors import EIPError
from assistant.reviews import ReviewStore
from assistant.types import CriterionDraft, EvidenceItem


def _draft(criterion: str = "ENV-12") -> CriterionDraft:
    return CriterionDraft(
        zone="z1", criterion_id=criterion, category="environment", title="Wastewater",
        requirement="treat all of it", status="meets", confidence=0.9, rationale="report p.1",
        justification="treated [1]",
        evidence=(EvidenceItem(file="zones/z1/a.pdf", page=1, quote="all of it", score=1.0,
                               file_hash="h1"),),
    )


def test_postgres_outage_is_a_clear_error_and_recovers(postgres_server, postgres_url: str) -> None:
    store = ReviewStore(postgres_url)
    other = ReviewStore(postgres_url)  # a second app instance sharing the history
    try:
        store.save_draft(_draft(), {"zones/z1/a.pdf": "h1"})
        store.review("z1", "ENV-12", action="accept", reviewer="first")

        postgres_server.stop()
        try:
            with pytest.raises(EIPError) as info:
                store.review("z1", "ENV-12", action="edit", reviewer="lost",
                             status="does_not_meet", comment="during the outage")
            message = str(info.value)
            assert f"127.0.0.1:{postgres_server.port}" in message
            assert postgres_server.password not in message
            assert "Traceback" not in message
            with pytest.raises(EIPError):
                other.history("z1", "ENV-12")
            # The web app's review handler and the CLI say what failed instead of crashing.
            from types import SimpleNamespace

            from assistant.ui.dossier import review_criterion

            html = review_criterion(SimpleNamespace(reviews=other), "z1", "ENV-12", "accept", "ui")
            assert f"127.0.0.1:{postgres_server.port}" in html and "Traceback" not in html
            from click.testing import CliRunner

            from assistant.cli import cli

            result = CliRunner().invoke(
                cli, ["review", "--zone", "z1", "--criterion", "ENV-12", "--status", "meets",
                      "--note", "outage", "--reviewer", "cli"],
                env={"EIP_DATABASE_URL": postgres_url},
            )
            assert result.exit_code == 1, result.output
            assert f"127.0.0.1:{postgres_server.port}" in result.output
            assert postgres_server.password not in result.output
            assert "Traceback" not in result.output
        finally:
            postgres_server.start()

        # Both instances reconnect by themselves; the failed review was never saved.
        assert [e.reviewer for e in store.history("z1", "ENV-12")] == ["first"]
        other.review("z1", "ENV-12", action="accept", reviewer="second")
        assert [e.reviewer for e in store.history("z1", "ENV-12")] == ["first", "second"]
    finally:
        store.close()
        other.close()


def test_unreachable_postgres_at_open_is_a_clear_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://eip:s3cret-pw@127.0.0.1:{port}/nothing"
    with pytest.raises(EIPError) as info:
        ReviewStore(url)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
