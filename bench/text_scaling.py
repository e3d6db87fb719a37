"""Scaling of the question-path text helpers on hostile input, 10 KB -> 100 KB (issue 18, H3).

A helper that is linear takes about 10x as long on 10x the text; a quadratic one about 100x.
Each helper runs on three hostile shapes: the trigger word of the cross-zone rule repeated
with no zone word after it ("all all all ..."), the zone word repeated with no verb, and
distinct words (what a list-based "seen" check is quadratic in). The replaced
implementations are timed too, for reference (only at sizes where they finish in seconds).

    python -m bench.text_scaling            # prints a Markdown table
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

from assistant.query import is_cross_zone
from assistant.storage.keywords import keyword_query
from assistant.text import STOPWORDS, content_terms, stem, words

_OLD_CROSS_ZONE = re.compile(
    r"\b(which|what|how many|list|compare|rank|ranking|across|all|each|every|any|most|best)\b"
    r"[^?]*\b(zones|sezs|candidates|candidate sites)\b"
    r"|\b(zones|sezs)\b[^?]*\b(have|has|treat|lack|meet|report|use|do|does)\b",
    re.IGNORECASE,
)


def _old_content_terms(text: str) -> list[str]:
    out: list[str] = []
    for w in words(text):
        if w in STOPWORDS or len(w) < 2:
            continue
        s = stem(w)
        if s not in out:
            out.append(s)
    return out


def shapes(size: int) -> dict[str, str]:
    return {
        "all x n": ("all " * (size // 4 + 1))[:size],
        "zones x n": ("zones " * (size // 6 + 1))[:size],
        "distinct words": " ".join(f"w{n}q" for n in range(size // 4 + 1))[:size],
    }


def timed(fn: Callable[[str], object], text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - started)
    return best


HELPERS: dict[str, Callable[[str], object]] = {
    "is_cross_zone": is_cross_zone,
    "content_terms": content_terms,
    "keyword_query": keyword_query,
}
OLD: dict[str, tuple[Callable[[str], object], int]] = {
    # name -> (function, largest size worth timing)
    "old _CROSS_ZONE regex": (lambda t: _OLD_CROSS_ZONE.search(t), 20_000),
    "old content_terms": (_old_content_terms, 40_000),
}


def run(small: int = 10_000, large: int = 100_000) -> list[str]:
    rows = ["| helper | input | 10 KB (ms) | 100 KB (ms) | ratio |", "|---|---|---|---|---|"]
    for name, fn in HELPERS.items():
        for shape, text in shapes(large).items():
            a, b = timed(fn, text[:small]), timed(fn, text)
            rows.append(f"| {name} | {shape} | {1e3 * a:.2f} | {1e3 * b:.2f} | {b / a:.1f}x |")
    for name, (fn, cap) in OLD.items():
        for shape, text in shapes(cap).items():
            a, b = timed(fn, text[: cap // 10], 1), timed(fn, text[:cap], 1)
            rows.append(f"| {name} (reference, {cap // 10_000} -> {cap // 1000} KB) | {shape} | "
                        f"{1e3 * a:.2f} | {1e3 * b:.2f} | {b / max(a, 1e-9):.1f}x |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    print("\n".join(run(args.small, args.large)))


if __name__ == "__main__":
    main()
