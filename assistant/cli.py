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
                self._settings = load_settings(**{**self.overrides, **more})
            except ValueError as exc:
                raise click.UsageError(f"invalid settings: {exc}") from exc
        return self._settings


pass_ctx = click.make_pass_decorator(_Ctx)


def _fail(exc: EIPError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index and databases live (env EIP_DATA_DIR, default .eip/).",
)
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
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Corpus root (env EIP_CORPUS_DIR, default corpus/).",
)
@click.option("--rebuild", is_flag=True, help="Drop the index and build it from scratch.")
@click.option("--strict", is_flag=True, help="Exit 1 if any file could not be indexed.")
@pass_ctx
def index_cmd(obj: _Ctx, corpus_dir: Path | None, rebuild: bool, strict: bool) -> None:
    """Index the corpus: new and changed files are added, deleted files removed."""
    from indexing import build_index, open_index
    from indexing.index import storage_error

    settings = obj.settings(corpus_dir=corpus_dir)
    try:
        index = open_index(settings, must_exist=False, for_rebuild=rebuild)
    except EIPError as exc:
        raise _fail(exc) from exc
    except Exception as exc:  # a read-only or full data dir: say so, no traceback
        if (err := storage_error(exc, settings.data_dir)) is None:
            raise
        raise _fail(err) from exc
    bar = _ProgressBar()
    try:
        report = build_index(index, settings.corpus_dir, rebuild=rebuild, on_progress=bar)
    except EIPError as exc:
        raise _fail(exc) from exc
    except Exception as exc:
        if (err := storage_error(exc, settings.data_dir)) is None:
            raise
        raise _fail(err) from exc
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
    if report.ocr_pages or report.ocr_rejected:
        click.echo(f"  OCR: {report.ocr_pages} scanned page(s) indexed, {len(report.ocr_rejected)} "
                   "below the confidence floor (not indexed)")
    for low in report.ocr_rejected:
        click.echo(f"  LOW OCR {low['source']} page {low['page']}: mean confidence "
                   f"{low['confidence']:.0f}% (EIP_OCR_MIN_CONFIDENCE)", err=True)
    if report.orphans_removed:
        click.echo(f"  repaired an interrupted run: {report.orphans_removed} orphan vectors removed")
    if strict and report.failed:
        sys.exit(1)


class _ProgressBar:
    """Adapts pipeline progress events to a click progress bar on stderr."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __call__(self, event: Any) -> None:
        if event.stage == "file":
            if self._bar is None and event.total > 0:
                self._bar = click.progressbar(
                    length=event.total,
                    label="Indexing",
                    file=sys.stderr,
                    show_pos=True,
                    item_show_func=lambda s: s or "",
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
        raise click.ClickException(f"no index in {settings.data_dir}. Build one with `eip index`.")
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
        # Scanned pages: indexed from OCR, and left out for low OCR confidence.
        "ocr_pages": sum(f.ocr_pages for f in ok),
        "ocr_documents": sum(1 for f in ok if f.ocr_pages),
        "ocr_rejected": [{"source": f.source, **page} for f in ok if f.ocr_rejected
                         for page in json.loads(f.ocr_rejected)],
    }
    docs.close()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Index:      {info['data_dir']} (corpus {info['corpus']})")
    click.echo(f"Documents:  {info['documents']} indexed, {info['failed']} failed; {info['chunks']} chunks")
    click.echo(
        f"Zones:      {len(info['zones'])} " + ", ".join(f"{z} ({n})" for z, n in info["zones"].items())
    )
    click.echo("Doc types:  " + ", ".join(f"{t} ({n})" for t, n in info["doc_types"].items()))
    click.echo(
        f"Model:      {info['embedding_model']} (dim {info['dimension']}), "
        f"chunks {info['chunk_size']}/{info['chunk_overlap']} chars"
    )
    click.echo(f"Last run:   {info['last_run']}")
    click.echo(f"OCR:        {info['ocr_pages']} scanned page(s) read by OCR in {info['ocr_documents']} "
               f"document(s); {len(info['ocr_rejected'])} below the confidence floor, not indexed")
    for r in info["ocr_rejected"]:
        click.echo(f"  LOW OCR {r['source']} page {r['page']}: mean confidence {r['confidence']:.0f}%")
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
        click.echo(
            f"{r.source:<62} {r.doc_type or '':<18} {r.zone or '-':<18} "
            f"pages {pages:>3}  chunks {r.chunks:>4}  {status}"
        )


def _build(obj: _Ctx, **more: Any) -> Any:
    from assistant.service import build_assistant

    try:
        return build_assistant(obj.settings(**more))
    except EIPError as exc:
        raise _fail(exc) from exc


@cli.command("ask")
@click.argument("question")
@click.option("--zone", help="Restrict to one zone id (framework documents stay in scope).")
@click.option(
    "--doc-type",
    "doc_types",
    multiple=True,
    type=click.Choice(["framework", "zone_document", "consultant_report", "other"]),
    help="Only these document types (repeatable).",
)
@click.option("--k", type=click.IntRange(1, 50), help="Passages to retrieve (default 5).")
@click.option(
    "--answerer",
    type=click.Choice(["extractive", "llm"]),
    help="extractive (default, offline) or llm (EIP_LLM_BASE_URL/EIP_LLM_MODEL).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@pass_ctx
def ask_cmd(
    obj: _Ctx,
    question: str,
    zone: str | None,
    doc_types: tuple[str, ...],
    k: int | None,
    answerer: str | None,
    as_json: bool,
) -> None:
    """Answer QUESTION from the indexed documents, citing file and page.

    \b
    Examples:
      eip ask "What does the framework require for industrial wastewater?"
      eip ask "How much of its wastewater does Prey Nob Coastal treat?" --json
    """
    from assistant.query import check_question
    from indexing.store import Filter

    try:  # before the index and the model are loaded: a refusal is immediate
        check_question(question, obj.settings().max_question_chars)
    except EIPError as exc:
        raise _fail(exc) from exc
    assistant = _build(obj, answerer=answerer)
    flt = Filter(doc_types=doc_types) if doc_types else None
    if zone and assistant.registry is not None and assistant.registry.get(zone) is None:
        known = ", ".join(z.id for z in assistant.registry)
        raise click.UsageError(f"unknown zone {zone!r}; known zones: {known}")
    try:
        if as_json or answerer != "llm":
            answer = assistant.ask(question, zone=zone, flt=flt, k=k)
        else:
            answer = None
            streamed: list[str] = []
            for piece in assistant.stream(question, zone=zone, flt=flt, k=k):
                if isinstance(piece, str):
                    streamed.append(piece)
                    click.echo(piece, nl=False)
                else:
                    answer = piece
            click.echo()
            if answer is not None and answer.text.strip() != "".join(streamed).strip():
                # The model's draft is shown as it streams; what survives checking is final.
                click.echo("\nChecked answer (unsupported or invalid citations removed):")
                click.echo(answer.text)
                for warning in answer.warnings:
                    click.echo(f"  note: {warning}", err=True)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        assistant.close()
    if as_json:
        click.echo(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
        return
    if answerer != "llm":
        click.echo(answer.text)
    if answer.citations:
        click.echo("\nSources:")
        for c in answer.citations:
            page = f", p. {c.page}" if c.page is not None else ""
            ocr = "" if c.ocr_confidence is None else f" (OCR of a scan, confidence {c.ocr_confidence:.0f}%)"
            click.echo(f'  [{c.marker}] {c.file}{page}{ocr}: "{_shorten(c.quote, 160)}"')


@cli.command("eval")
@click.option(
    "--questions",
    "questions_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Question set (JSONL), e.g. evals/questions.jsonl.",
)
@click.option(
    "--assessments",
    "assessments_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gold assessments (YAML) to score the evidence drafter against.",
)
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Index this corpus first (incrementally).",
)
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--answerer", type=click.Choice(["extractive", "llm"]))
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write metrics JSON here."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a Markdown report here.",
)
@click.option("--compare", is_flag=True, help="Also compare dense-only, keyword-only and hybrid retrieval.")
@click.option(
    "--judge", is_flag=True, help="Also let the configured language model judge correctness (off by default)."
)
@pass_ctx
def eval_cmd(
    obj: _Ctx,
    questions_path: Path | None,
    assessments_path: Path | None,
    corpus_dir: Path | None,
    k: int,
    answerer: str | None,
    json_path: Path | None,
    report_path: Path | None,
    compare: bool,
    judge: bool,
) -> None:
    """Score the assistant on a gold question set (and the drafter on gold assessments)."""
    if questions_path is None and assessments_path is None:
        raise click.UsageError("give --questions FILE and/or --assessments FILE")
    if corpus_dir is not None:
        obj.overrides["corpus_dir"] = corpus_dir
        click.get_current_context().invoke(index_cmd, corpus_dir=corpus_dir, rebuild=False, strict=False)
    assistant = _build(obj, answerer=answerer)
    try:
        if questions_path is not None:
            from evals.runner import load_questions, render_markdown, run_eval

            questions = load_questions(questions_path)
            with click.progressbar(length=len(questions), label="Evaluating", file=sys.stderr) as bar:
                report = run_eval(
                    assistant, questions, k=k, compare=compare, on_progress=lambda done, total: bar.update(1)
                )
            if judge:
                from assistant.llm import build_chat_model
                from evals.judge import judge_rows

                references = {q.id: q.answer for q in questions}
                report.extra["judged_correct"] = judge_rows(
                    build_chat_model(obj.settings()), report.per_question, references
                )
            _print_eval(report)
            if json_path:
                json_path.parent.mkdir(parents=True, exist_ok=True)
                json_path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
            if report_path:
                report_path.parent.mkdir(parents=True, exist_ok=True)
                report_path.write_text(render_markdown(report))
        if assessments_path is not None:
            from evals.assessments import render_assessment_summary, run_assessment_eval

            result = run_assessment_eval(assistant, assessments_path)
            click.echo(render_assessment_summary(result))
            if json_path and questions_path is None:
                json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        assistant.close()


@cli.command("serve")
@click.option("--host", help="Address to bind (env EIP_HOST; default 127.0.0.1: this machine).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (env EIP_PORT; default 7860).")
@click.option(
    "--hash-password",
    "hash_user",
    metavar="USER",
    help="Ask for USER's password, print a line for the EIP_AUTH_FILE users file, exit.",
)
@click.option(
    "--insecure-no-auth",
    is_flag=True,
    help="Serve on a non-loopback address without a login (only behind another login layer).",
)
@pass_ctx
def serve_cmd(
    obj: _Ctx, host: str | None, port: int | None, hash_user: str | None, insecure_no_auth: bool
) -> None:
    """Start the web app: chat, zone dossiers, scorecard, library and evaluation.

    \b
    Login is off unless users are configured:
      EIP_AUTH_USERS="alice:secret,bob:other"      plain passwords, quick setups
      EIP_AUTH_FILE=users.txt                      lines from `eip serve --hash-password alice`
    \b
    Examples:
      eip serve                                    # http://127.0.0.1:7860
      eip serve --host 0.0.0.0 --port 8080         # shared on the network: configure a login
    """
    if hash_user:
        from assistant.ui.auth import hash_password

        password = click.prompt(
            f"Password for {hash_user}", hide_input=True, confirmation_prompt=True, err=True
        )
        click.echo(f"{hash_user.strip()}:{hash_password(password)}")
        return
    from assistant.ui.auth import configured_users
    from assistant.ui.services import index_problem

    settings = obj.settings(host=host, port=port)
    try:  # configuration first: a refusal must not wait for the index or the model
        plain, hashed = configured_users(settings)
        from assistant.ui.app import check_exposure

        check_exposure(settings.host, bool(plain or hashed), insecure_no_auth)
    except EIPError as exc:
        raise _fail(exc) from exc
    if (problem := index_problem(settings)) is not None:
        click.echo(problem, err=True)
        sys.exit(1)
    from assistant.ui import build_services, launch

    services = build_services(settings, check_index=False)
    users = len({*plain, *hashed})
    login = f"login on ({users} users)" if users else "no login"
    click.echo(
        f"EIP Assistant on http://{settings.host}:{settings.port} ({login}); Ctrl+C stops it.", err=True
    )
    if not users and insecure_no_auth:
        click.echo("Warning: --insecure-no-auth: the app is open to anyone who can reach it.", err=True)
    try:
        launch(services, quiet=True, insecure_no_auth=insecure_no_auth)
    except EIPError as exc:
        raise _fail(exc) from exc
    finally:
        services.close()


def _print_eval(report: Any) -> None:
    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    click.echo(f"Questions: {report.n}  (k={report.config['k']}, answerer={report.config['answerer']})")
    click.echo("Retrieval: " + "  ".join(f"{k}={fmt(v)}" for k, v in report.retrieval.items()))
    click.echo(
        "Answers:   " + "  ".join(f"{k}={fmt(v)}" for k, v in {**report.answer, **report.extra}.items())
    )
    click.echo(f"Latency:   p50={report.latency_ms['p50']} ms  p95={report.latency_ms['p95']} ms")
    if report.compare:
        click.echo(f"{'mode':<8} {'hit@k':>7} {'recall@k':>9} {'mrr':>7} {'ndcg@k':>7}")
        for mode, vals in report.compare.items():
            click.echo(
                f"{mode:<8} "
                + " ".join(
                    f"{fmt(vals[x]):>{w}}"
                    for x, w in (("hit@k", 7), ("recall@k", 9), ("mrr", 7), ("ndcg@k", 7))
                )
            )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="eip")


if __name__ == "__main__":
    main()


# Command groups defined in their own modules register themselves on ``cli``.
from assistant import cli_dossier  # noqa: E402,F401
