"""What each pipeline gives the embedding model: texts, tokens, padding, and parse CPU.

Both pipelines embed with the same model, so a build's embedding cost is (roughly) the
number of token positions the model runs over, padding included. This counts them without
running the model:

- ours: the sandbox parser, ``chunk_document`` and ``index_text`` (what ``_flush`` embeds),
  batched the way :class:`indexing.embed.OnnxEmbedder` batches (per flush, distinct texts,
  sorted by token length, at most ``BATCH_TOKENS`` positions and 16 rows; and, for
  comparison, 16 rows each as before);
- the baseline: the LangChain loaders and ``RecursiveCharacterTextSplitter(1000, 200)``,
  batched the way sentence-transformers' ``encode`` does (all texts in one call, sorted by
  character length, 32 rows).

CPU seconds of parsing are measured per side (ours: the sandbox child's, read from
``/proc``; the baseline: this process's, loaders only).

    python -m bench.tokens --pages 100
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MAX_LENGTH = 256


@dataclass
class Accounting:
    """Token positions a list of texts costs the model, batched one way."""

    texts: int
    distinct: int
    tokens: int  # real tokens, after truncation to MAX_LENGTH
    truncated: int  # texts longer than MAX_LENGTH tokens
    padded: int  # token positions the model runs over (rows x batch width, summed)
    batches: int

    @property
    def padding_share(self) -> float:
        return 1 - self.tokens / self.padded if self.padded else 0.0


def padded_positions(lengths: Sequence[int], batch: int) -> tuple[int, int]:
    """(positions, batches) when ``lengths`` are batched in this order, ``batch`` rows each."""
    positions = batches = 0
    for start in range(0, len(lengths), batch):
        group = lengths[start : start + batch]
        positions += max(group) * len(group)
        batches += 1
    return positions, batches


def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    from indexing.embed import bundled_model_path

    tok = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def account_ours(flushes: list[list[str]], tok: Any, batch: int, budget: int | None = None
                 ) -> Accounting:
    """``flushes``: the texts of each ``_flush`` call, in order; ``budget``: token positions
    per batch (:data:`indexing.embed.BATCH_TOKENS`), None for ``batch`` rows each."""
    from indexing.embed import length_batches

    texts = tokens = truncated = padded = batches = distinct = 0
    for flush in flushes:
        unique = list(dict.fromkeys(flush))
        raw = [len(e.ids) for e in tok.encode_batch(unique)]
        truncated += sum(n > MAX_LENGTH for n in raw)
        lengths = [min(n, MAX_LENGTH) for n in raw]
        if budget:
            groups = length_batches(lengths, max_rows=batch, max_tokens=budget)
        else:
            order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
            groups = [order[s : s + batch] for s in range(0, len(order), batch)]
        texts += len(flush)
        distinct += len(unique)
        tokens += sum(lengths)
        padded += sum(len(g) * max(lengths[i] for i in g) for g in groups)
        batches += len(groups)
    return Accounting(texts, distinct, tokens, truncated, padded, batches)


def account_st(texts: list[str], tok: Any, batch: int = 32) -> Accounting:
    """sentence-transformers' encode: one call, sorted by -len(text), ``batch`` rows."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    raw = [len(e.ids) for e in tok.encode_batch([texts[i] for i in order])]
    lengths = [min(n, MAX_LENGTH) for n in raw]
    p, b = padded_positions(lengths, batch)
    return Accounting(len(texts), len(set(texts)), sum(lengths), sum(n > MAX_LENGTH for n in raw),
                      p, b)


def _child_cpu(pid: int) -> float:
    """user + system CPU seconds of a live process (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ours_texts(corpus: Path, batch_chunks: int = 256) -> tuple[list[list[str]], dict[str, float]]:
    """Texts per flush (as a cold build with a parser never behind would flush) and CPU s."""
    from assistant.settings import load_settings
    from indexing.chunk import index_text
    from indexing.discover import discover
    from indexing.pipeline import _prepare
    from indexing.sandbox import ParseLimits, ParseWorker

    settings = load_settings(data_dir=Path("/tmp/unused-eip"), corpus_dir=corpus)
    worker = ParseWorker(ParseLimits.from_settings(settings))
    flushes: list[list[str]] = []
    current: list[str] = []
    own = time.process_time()
    child = 0.0
    try:
        for source in discover(corpus):
            try:
                pending = _prepare(source, settings, worker)
            except Exception:  # noqa: BLE001 - a failed file embeds nothing
                continue
            current.extend(index_text(c) for c in pending.chunks)
            if len(current) >= batch_chunks:
                flushes.append(current)
                current = []
        proc = getattr(worker, "_proc", None)
        if proc is not None:
            child = _child_cpu(proc.pid)
    finally:
        worker.close()
    if current:
        flushes.append(current)
    return flushes, {"parse_child_cpu": child, "main_cpu": time.process_time() - own}


def baseline_texts(corpus: Path) -> tuple[list[str], dict[str, float]]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from bench.indexing import baseline_documents

    own = time.process_time()
    docs = baseline_documents(corpus)
    load = time.process_time() - own
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    return [d.page_content for d in splits], {"load_cpu": load,
                                              "split_cpu": time.process_time() - own - load}


def run(pages: int, *, batch: int = 16) -> dict[str, Any]:
    from bench.corpus import generate

    corpus = generate(pages)
    tok = _tokenizer()
    flushes, ours_cpu = ours_texts(corpus.root)
    base, base_cpu = baseline_texts(corpus.root)
    from indexing.embed import BATCH_TOKENS

    ours = account_ours(flushes, tok, batch, BATCH_TOKENS)
    rows_only = account_ours(flushes, tok, batch)
    baseline = account_st(base, tok)
    out = {"pages": corpus.pages, "documents": corpus.documents, "batch_tokens": BATCH_TOKENS,
           "ours": asdict(ours) | {"padding_share": ours.padding_share, "cpu": ours_cpu},
           "baseline": asdict(baseline) | {"padding_share": baseline.padding_share,
                                           "cpu": base_cpu},
           "ours_16_rows": asdict(rows_only) | {"padding_share": rows_only.padding_share},
           "ratio_padded": ours.padded / baseline.padded,
           "ratio_tokens": ours.tokens / baseline.tokens,
           "rusage_children_cpu": (lambda u: u.ru_utime + u.ru_stime)(
               resource.getrusage(resource.RUSAGE_CHILDREN))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.tokens")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--batch", type=int, default=16, help="our embedder's rows per batch")
    args = ap.parse_args(argv)
    print(json.dumps(run(args.pages, batch=args.batch), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
