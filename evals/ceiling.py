"""How far the extractive answerer's sentence ranking can take key-fact recall.

For every answerable question with key facts, each fact is looked for in the retrieved
passages (the retrieval ceiling) and in the answerer's own sentence ranking
(``ExtractiveAnswerer.score_sentences``): the share of facts held by one of the first N
ranked sentences is what an answer quoting N sentences could reach with a perfect choice
among them. The answerer quotes at most ``answer_max_sentences`` (4) sentences, so its
key-fact recall cannot rise much above the "top 4" column whatever the composition does.

    python -m evals.ceiling --data /tmp/eval-data --k 5 10 --only dev independent
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.service import Assistant
from assistant.text import words
from evals.compare import SETS, open_set
from evals.metrics import key_fact_recall
from evals.runner import Question

TOPS = (1, 2, 4, 8, 30)


@dataclass
class Ceiling:
    """Key facts found in the passages and within the first N ranked sentences."""

    facts: int = 0
    in_passages: int = 0
    within: dict[int, int] = field(default_factory=lambda: dict.fromkeys(TOPS, 0))

    def shares(self) -> dict[str, float]:
        """Each count as a share of all key facts (0 when there are none)."""
        n = self.facts or 1
        out = {"in passages": self.in_passages / n}
        out.update({f"top {top}": count / n for top, count in self.within.items()})
        return out


def _holds(text: str, fact: str) -> bool:
    return key_fact_recall(text, [fact]) == 1.0  # the metric's own matching (markers stripped)


def ranking_ceiling(assistant: Assistant, questions: Sequence[Question], *, k: int = 5) -> Ceiling:
    """Where the key facts of ``questions`` sit in the retrieved passages and the sentence ranking.

    Needs the extractive answerer (``score_sentences``); questions are asked as
    ``evals.runner`` asks them (no zone filter, ``k`` passages).
    """
    scorer = getattr(assistant.answerer, "score_sentences", None)
    if scorer is None:
        raise TypeError("the ranking ceiling needs the extractive answerer (answerer = 'extractive')")
    ceiling = Ceiling()
    for q in questions:
        if not q.answerable or not q.key_facts:
            continue
        plan = assistant.plan(q.question)
        passages = assistant.passages(plan, k=k)
        drop = {w for z in plan.zones for n in z.names for w in words(n)}
        ranked = [s.text for s in scorer(plan.text, passages, drop, cross_zone=plan.cross_zone)]
        context = " ".join(p.chunk.text for p in passages)
        for fact in q.key_facts:
            ceiling.facts += 1
            ceiling.in_passages += _holds(context, fact)
            rank = next((i for i, text in enumerate(ranked) if _holds(text, fact)), None)
            for top in TOPS:
                ceiling.within[top] += rank is not None and rank < top
    return ceiling


def render(rows: list[tuple[str, int, Ceiling]]) -> str:
    """A Markdown table: one row per (set, k)."""
    head = ["set", "k", "key facts", "in passages", *(f"top {t}" for t in TOPS)]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, k, c in rows:
        values = [f"{v:.3f}" for v in c.shares().values()]
        lines.append("| " + " | ".join([name, str(k), str(c.facts), *values]) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(".eip-eval"), help="where the indexes go")
    parser.add_argument("--only", nargs="*", help="set names to run (default: all)")
    parser.add_argument("--k", nargs="*", type=int, default=[5], help="passages retrieved (default 5)")
    args = parser.parse_args(argv)
    rows: list[tuple[str, int, Ceiling]] = []
    for qs in (s for s in SETS if not args.only or s.name in args.only):
        assistant, questions = open_set(qs, args.data)
        try:
            rows.extend((qs.name, k, ranking_ceiling(assistant, questions, k=k)) for k in args.k)
        finally:
            assistant.close()
    print(render(rows))  # noqa: T201 - an entry point prints
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
