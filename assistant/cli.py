"""The ``eip`` command. It parses flags, calls the library, prints, and owns exit codes."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from assistant.errors import EIPError
from assistant.logs import configure_logging
from assistant.settings import Settings, load_settings


class _Ctx:
    def __init__(self, overrides: dict[str, Any], verbose: int) -> None:
        self.overrides = overrides
        self.verbose = verbose
        self._settings: Settings | None = None

    def settings(self, **more: Any) -> Settings:
        if self._settings is None or more:
            try:
                self._settings = load_settings(**self.overrides, **more)
            except ValueError as exc:
                raise click.UsageError(f"invalid settings: {exc}") from exc
        return self._settings


pass_ctx = click.make_pass_decorator(_Ctx)


def _fail(exc: EIPError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the index and databases live (env EIP_DATA_DIR, default .eip/).")
@click.option("-v", "--verbose", count=True, help="-v for progress details, -vv for debug logs.")
@click.version_option(package_name="eip-assistant")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: int) -> None:
    """EIP Assistant: grounded answers and evidence dossiers for eco-industrial park assessments.

    \b
    Typical session:
      eip index                      # index corpus/ (incremental)
      eip status                     # what is indexed
      eip ask "Which zones treat all of their industrial wastewater?"
    """
    configure_logging(verbose)
    ctx.obj = _Ctx({"data_dir": data_dir}, verbose)


@cli.command("index")
@click.option("--corpus", "corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Corpus root (env EIP_CORPUS_DIR, default corpus/).")
@click.option("--rebuild", is_flag=True, help="Drop the index and build it from scratch.")
@click.option("--strict", is_flag=True, help="Exit 1 if any file could not be indexed.")
@pass_ctx
def index_cmd(obj: _Ctx, corpus_dir: Path | None, rebuild: bool, strict: bool) -> None:
    """Index the corpus: new and changed files are added, deleted files removed."""
    from indexing import build_index, open_index

    settings = obj.settings(corpus_dir=corpus_dir)
    try:
        index = open_index(settings, must_exist=False)
    except EIPError as exc:
        if rebuild and "different settings" in str(exc):
            index = _open_for_rebuild(settings)
        else:
            raise _fail(exc) from exc
    bar = _ProgressBar()
    try:
        report = build_index(index, settings.corpus_dir, rebuild=rebuild, on_progress=bar)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        bar.close()
        index.close()
    click.echo(
        f"Indexed {len(report.indexed)} file(s), {report.unchanged} unchanged, "
        f"{len(report.failed)} failed, {len(report.removed)} removed; "
        f"{report.chunks_added} chunks added, {report.chunks_total} in the index "
        f"({report.seconds:.1f} s)."
    )
    for failure in report.failed:
        click.echo(f"  FAILED {failure['source']} [{failure['kind']}]: {failure['reason']}", err=True)
    if report.orphans_removed:
        click.echo(f"  repaired an interrupted run: {report.orphans_removed} orphan vectors removed")
    if strict and report.failed:
        sys.exit(1)


def _open_for_rebuild(settings: Settings) -> Any:
    """Open an index whose fingerprint differs, only so that it can be rebuilt."""
    from indexing.docstore import DocStore
    from indexing.embed import SentenceTransformerEmbedder
    from indexing.index import Index
    from indexing.store import ChromaStore

    return Index(
        settings=settings,
        docs=DocStore(settings.index_db),
        store=ChromaStore(settings),
        embedder=SentenceTransformerEmbedder(settings.embedding_model,
                                             batch_size=settings.embedding_batch_size),
    )


class _ProgressBar:
    """Adapts pipeline progress events to a click progress bar on stderr."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, event: Any) -> None:
        if event.stage == "file":
            if self._bar is None and event.total > 0:
                self._bar = click.progressbar(
                    length=event.total, label="Indexing", file=sys.stderr,
                    show_pos=True, item_show_func=lambda s: s or "",
                )
                self._bar.__enter__()
            if self._bar is not None:
                self._bar.update(event.done - self._done, event.source)
                self._done = event.done
        elif event.stage == "embed" and self._bar is not None:
            self._bar.label = f"Indexing ({event.done} chunks embedded)"
        elif event.stage == "done" and self._bar is not None:
            self._bar.update(event.total - self._done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _open_docs(obj: _Ctx) -> Any:
    from indexing.docstore import DocStore
    from indexing.index import check_fingerprint

    settings = obj.settings()
    if not settings.index_db.exists():
        raise click.ClickException(
            f"no index in {settings.data_dir}. Build one with `eip index`."
        )
    docs = DocStore(settings.index_db)
    try:
        check_fingerprint(docs.get_meta("fingerprint"), settings.fingerprint())
    except EIPError as exc:
        docs.close()
        raise _fail(exc) from exc
    return docs


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def status_cmd(obj: _Ctx, as_json: bool) -> None:
    """Show what is indexed: documents, chunks, zones, types, model, last run, failures."""
    docs = _open_docs(obj)
    files = docs.files()
    ok = [f for f in files.values() if f.status == "indexed"]
    failed = [f for f in files.values() if f.status != "indexed"]
    fp = docs.get_meta("fingerprint") or {}
    last = docs.last_run()
    info = {
        "data_dir": str(obj.settings().data_dir),
        "corpus": docs.get_meta("corpus_dir"),
        "documents": len(ok),
        "failed": len(failed),
        "chunks": docs.count(),
        "zones": dict(sorted(Counter(f.zone for f in ok if f.zone).items())),
        "doc_types": dict(sorted(Counter(f.doc_type for f in ok).items())),
        "embedding_model": fp.get("embedding_model"),
        "dimension": docs.get_meta("dimension"),
        "chunk_size": fp.get("chunk_size"),
        "chunk_overlap": fp.get("chunk_overlap"),
        "last_run": (last or {}).get("finished_at"),
        "failures": [{"source": f.source, "kind": f.kind, "reason": f.reason} for f in failed],
    }
    docs.close()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Index:      {info['data_dir']} (corpus {info['corpus']})")
    click.echo(f"Documents:  {info['documents']} indexed, {info['failed']} failed; {info['chunks']} chunks")
    click.echo(f"Zones:      {len(info['zones'])} " + ", ".join(f"{z} ({n})" for z, n in info["zones"].items()))
    click.echo("Doc types:  " + ", ".join(f"{t} ({n})" for t, n in info["doc_types"].items()))
    click.echo(f"Model:      {info['embedding_model']} (dim {info['dimension']}), "
               f"chunks {info['chunk_size']}/{info['chunk_overlap']} chars")
    click.echo(f"Last run:   {info['last_run']}")
    for f in info["failures"]:
        click.echo(f"  FAILED {f['source']} [{f['kind']}]: {f['reason']}")


@cli.command("sources")
@click.option("--zone", help="Only documents of this zone id.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def sources_cmd(obj: _Ctx, zone: str | None, as_json: bool) -> None:
    """List indexed documents with type, zone, pages, chunks and status."""
    docs = _open_docs(obj)
    rows = [f for f in docs.files().values() if zone is None or f.zone == zone]
    docs.close()
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"No documents{' for zone ' + zone if zone else ''}.")
        return
    for r in rows:
        pages = "-" if r.pages is None else str(r.pages)
        status = r.status if r.status == "indexed" else f"{r.status}: {r.kind}"
        click.echo(f"{r.source:<62} {r.doc_type or '':<18} {r.zone or '-':<18} "
                   f"pages {pages:>3}  chunks {r.chunks:>4}  {status}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="eip")


if __name__ == "__main__":
    main()
