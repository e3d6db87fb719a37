"""``eip ask``."""

from __future__ import annotations

import json

import click

from assistant import ops
from assistant.cli.base import Ctx, build, cli, fail, pass_ctx, shorten
from assistant.errors import EIPError
from assistant.vocabulary import DOC_TYPES


@cli.command("ask")
@click.argument("question")
@click.option("--zone", help="Restrict to one zone id (framework documents stay in scope).")
@click.option(
    "--doc-type",
    "doc_types",
    multiple=True,
    type=click.Choice(DOC_TYPES),
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
    obj: Ctx,
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
    from assistant.storage.vectors import Filter

    try:  # before the index and the model are loaded: a refusal is immediate
        check_question(question, obj.settings().max_question_chars)
    except EIPError as exc:
        raise fail(exc) from exc
    assistant = build(obj, answerer=answerer)
    try:
        if as_json or answerer != "llm":
            answer = ops.ask(assistant, question, zone=zone, doc_types=doc_types, k=k)
        else:
            ops.check_zone(assistant.registry, zone)
            flt = Filter(doc_types=doc_types) if doc_types else None
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
        raise fail(exc) from exc
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
            click.echo(f'  [{c.marker}] {c.file}{page}{ocr}: "{shorten(c.quote, 160)}"')
