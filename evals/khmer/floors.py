"""Measure the answerer's evidence floors for one embedding model on the dev split.

The extractive answerer refuses when no sentence of the retrieved passages is at least
``min_evidence_score`` similar to the question, or when a focus word of the question has no
counterpart at least ``term_support`` similar in one place of the evidence. Both are cosine
similarities, and their scale is the model's: MiniLM puts unrelated texts near 0.1-0.3,
multilingual-e5 near 0.75-0.85. This script retrieves once per dev question, records the
similarities the two checks look at, and scores a grid of floor pairs by balanced accuracy
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
    """What the two checks see for one question."""

    qid: str
    answerable: bool
    lead: bool  # a criterion lead is stated whatever the evidence (never refused)
    best_sentence: float  # highest sentence similarity to the question
    places: tuple[tuple[float, ...], ...]  # per place, each focus term's best similarity


def observe(paths: list[Path]) -> list[Observation]:
    """Retrieve for every dev question of ``paths`` and record the checks' inputs."""
    from assistant.evidence import focus_terms
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
            terms = focus_terms(q["question"], drop=drop)
            places: dict[tuple[str, object], str] = {}
            for p in passages:
                key = (p.chunk.source, p.chunk.section if p.chunk.page is None else p.chunk.page)
                places[key] = places.get(key, f"{p.chunk.title} {p.chunk.section or ''}") + " " + p.chunk.text
            sims = tuple(
                tuple(m.similarity for m in answerer.term_support.matches(terms, text))
                for text in places.values()
            ) if answerer.term_support is not None else ()
            out.append(Observation(
                q["id"], bool(q.get("answerable", True)), bool(plan.criteria),
                max((s.semantic for s in scored), default=0.0), sims,
            ))
    return out


def refused(o: Observation, min_score: float, term_support: float) -> bool:
    """Whether the answerer would refuse ``o`` with these floors."""
    if o.lead:
        return False
    if o.best_sentence < min_score:
        return True
    if term_support <= 0 or not o.places:
        return False
    return min(sum(s < term_support for s in place) for place in o.places) > 0


def grid(obs: list[Observation], scores: list[float], supports: list[float]
         ) -> list[tuple[float, float, float, float, float]]:
    """(balanced accuracy, answered rate, abstention, min_score, term_support), best first."""
    answerable = [o for o in obs if o.answerable]
    unanswerable = [o for o in obs if not o.answerable]
    rows = []
    for m in scores:
        for t in supports:
            answered = np.mean([not refused(o, m, t) for o in answerable]) if answerable else 0.0
            abstained = np.mean([refused(o, m, t) for o in unanswerable]) if unanswerable else 0.0
            rows.append(((answered + abstained) / 2, float(answered), float(abstained), m, t))
    return sorted(rows, key=lambda r: (-r[0], -r[1], r[3], r[4]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", nargs="+", type=Path)
    parser.add_argument("--scores", default="0,0.2,0.3,0.32,0.4,0.5,0.6,0.7,0.75,0.78,0.8,0.82,0.84,0.86")
    parser.add_argument("--supports", default="0,0.4,0.5,0.6,0.7,0.75,0.8,0.82,0.84,0.86,0.88,0.9")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    obs = observe(args.questions)
    n_un = sum(not o.answerable for o in obs)
    out = [f"{len(obs)} dev questions ({n_un} unanswerable)",
           "balanced | answered | abstention | min_evidence_score | term_support"]
    for row in grid(obs, [float(x) for x in args.scores.split(",")],
                    [float(x) for x in args.supports.split(",")])[: args.top]:
        out.append(" | ".join(f"{v:.3f}" for v in row))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
