"""The CLI and the web app show the same scorecard from the same review store.

The settings point at another corpus (the independent set, with its own registry and
catalogue) than the one the index was built from: both adapters must read the index's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from assistant.cli import cli
from assistant.export import scorecard_to_json
from assistant.reviews import ReviewStore
from assistant.storage.docstore import DocStore
from assistant.ui.scorecard import current_scorecard
from assistant.ui.services import Services

REPO = Path(__file__).resolve().parents[2]


def test_cli_and_ui_scorecards_are_identical(ui_assistant: Any, drafted_db: Path, tmp_path: Path,
                                             monkeypatch: Any) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(drafted_db, data / "reviews.db")
    # The CLI reads which corpus the index was built from; it needs no embedding model.
    recorded = DocStore(data / "index.db")
    recorded.set_meta("corpus_dir", str(ui_assistant.index.corpus_dir))
    recorded.close()
    monkeypatch.setenv("EIP_CORPUS_DIR", str(REPO / "evals" / "independent" / "corpus"))

    result = CliRunner().invoke(cli, ["--data-dir", str(data), "scorecard", "--format", "json"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)

    settings = ui_assistant.settings.model_copy(update={"data_dir": data})
    services = Services(settings=settings, assistant_factory=lambda _s: ui_assistant,
                        review_store_factory=lambda s: ReviewStore(s.review_db))
    try:
        card = current_scorecard(services)
    finally:
        services.reviews.close()
    assert card is not None
    from_ui = json.loads(scorecard_to_json(card))
    for card_json in (from_cli, from_ui):
        card_json.pop("generated_at")  # the second each was built in
    assert from_cli == from_ui
    assert from_cli["zones"] and from_cli["criteria"]
