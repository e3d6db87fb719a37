"""Measure the answerer's evidence floors for one embedding model on the dev split.

The extractive answerer refuses when no sentence of the retrieved passages is at least
``min_evidence_score`` similar to the question, or when none of its best sentences holds
the kind of answer asked for (``assistant/answer_type.py``). The floor is a cosine
similarity, and its scale is the model's: MiniLM puts unrelated texts near 0.1-0.3,
multilingual-e5 near 0.75-0.85. This script retrieves once per dev question, records what the
two checks look at, and scores a grid of floors by balanced accuracy
(answered rate on answerable questions + abstention on unanswerable ones, halved).

    EIP_DATA_DIR=/tmp/e5 EIP_EMBEDDING_MODEL=multilingual-e5-small \\
        python -m evals.khmer.floors evals/questions.jsonl evals/khmer/questions.jsonl

Only ``split == "dev"`` records are used (the test split and evals/independent/ stay unseen).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Observation:
    """What the answerer's two checks see for one question."""

    qid: str
    answerable: bool
    lead: bool  # a criterion lead is stated whatever the evidence (never refused)
    best_sentence: float  # highest sentence similarity to the question
    fits: bool  # some sentence of the answer window holds the kind of answer asked for


def observe(paths: list[Path]) -> list[Observation]:
    """Retrieve for every dev question of ``paths`` and record the checks' inputs."""
    from assistant.answer_type import fits
    from assistant.extractive import answer_kind
    from assistant.service import build_assistant
    from assistant.settings import Settings
    from assistant.text import words

    assistant = build_assistant(Settings())
    answerer = assistant.answerer
    out: list[Observation] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            q = json.loads(line)
            if q.get("split") != "dev":
                continue
            plan = assistant.plan(q["question"], zone=q.get("zone"))
            passages = assistant.passages(plan)
            drop = {w for z in plan.zones for n in z.names for w in words(n)}
            scored = answerer.score_sentences(plan.text, passages, drop, cross_zone=plan.cross_zone)
            kind = answer_kind(q["question"], passages) if scored else None
            window = scored[: answerer.answer_window]
            out.append(Observation(
                q["id"], bool(q.get("answerable", True)), bool(plan.criteria),
                max((s.semantic for s in scored), default=0.0),
                kind is not None and any(fits(kind, s.text) for s in window),
            ))
    return out


def refused(o: Observation, min_score: float) -> bool:
    """Whether the answerer would refuse ``o`` with this floor."""
    if o.lead:
        return False
    return not o.fits or o.best_sentence < min_score


def grid(obs: list[Observation], scores: list[float]) -> list[tuple[float, float, float, float]]:
    """(balanced accuracy, answered rate, abstention, min_score), best first."""
    answerable = [o for o in obs if o.answerable]
    unanswerable = [o for o in obs if not o.answerable]
    rows = []
    for m in scores:
        answered = np.mean([not refused(o, m) for o in answerable]) if answerable else 0.0
        abstained = np.mean([refused(o, m) for o in unanswerable]) if unanswerable else 0.0
        rows.append(((answered + abstained) / 2, float(answered), float(abstained), m))
    return sorted(rows, key=lambda r: (-r[0], -r[1], r[3]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="+", type=Path)
    parser.add_argument("--scores", default="0,0.2,0.3,0.32,0.4,0.5,0.6,0.7,0.75,0.78,0.8,0.82,0.84,0.86")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    obs = observe(args.questions)
    n_un = sum(not o.answerable for o in obs)
    out = [f"{len(obs)} dev questions ({n_un} unanswerable)",
           "balanced | answered | abstention | min_evidence_score"]
    for row in grid(obs, [float(x) for x in args.scores.split(",")])[: args.top]:
        out.append(" | ".join(f"{v:.3f}" for v in row))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
