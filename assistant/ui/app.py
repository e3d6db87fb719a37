"""The web app: ``build_app(services)`` assembles the pages; ``launch`` serves them.

Analytics are off, the app binds to loopback unless told otherwise, every event goes through
Gradio's queue, and with users configured every route but the login page needs a session.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere

import gradio as gr  # noqa: E402

from assistant.errors import ConfigError  # noqa: E402
from assistant.ui import chat, dossier, evaluation, library, scorecard  # noqa: E402
from assistant.ui.auth import Authenticator, AuthGuard, LoginLimiter  # noqa: E402
from assistant.ui.common import CSS, esc, notice, pill, theme  # noqa: E402
from assistant.ui.services import Services, private_temp_dir  # noqa: E402

logger = logging.getLogger(__name__)

PRODUCT = "EIP Assistant"
TAGLINE = ("Grounded answers and evidence dossiers for eco-industrial park assessments of "
           "Special Economic Zones. Every statement cites its document and page.")
CONCURRENCY = 4


def header_html(services: Services) -> str:
    info = services.index_info()
    zones = len(services.zones())
    label, explanation = services.answer_mode()
    meta = [pill(f"{info['documents']} documents · {info['chunks']} passages"),
            pill(f"{zones} zones"), pill(label, "mode", explanation)]
    return (
        '<div class="eip-header"><div class="eip-brand"><div class="eip-logo">◈</div><div>'
        f'<div class="eip-title">{esc(PRODUCT)}</div><div class="eip-tagline">{esc(TAGLINE)}'
        f'</div></div></div><div class="eip-header-meta">{" ".join(meta)}</div></div>')


def illustrative_html(services: Services) -> str:
    if not services.illustrative:
        return ""
    return notice("<b>Illustrative sample corpus.</b> The zones shown here were invented to "
                  "demonstrate the tool; their names and figures are fictional. Do not cite them "
                  "as real Special Economic Zones.", "warn")


def use_private_gradio_cache() -> None:
    """Gradio's upload cache in a private per-process folder, unless GRADIO_TEMP_DIR is set
    (the default, ``<tmp>/gradio``, is one predictable folder shared by every user)."""
    if not os.environ.get("GRADIO_TEMP_DIR"):
        os.environ["GRADIO_TEMP_DIR"] = str(private_temp_dir("eip-gradio-"))


def build_app(services: Services) -> gr.Blocks:
    """The whole app as a :class:`gradio.Blocks` (not launched)."""
    use_private_gradio_cache()
    max_age = int(services.settings.temp_max_age_hours * 3600)
    # Uploads and downloads in Gradio's cache older than the age limit are deleted hourly.
    with gr.Blocks(title=PRODUCT, analytics_enabled=False, fill_width=False,
                   delete_cache=(min(3600, max_age), max_age)) as demo:
        header = gr.HTML(header_html(services))
        note = illustrative_html(services)
        if note:
            gr.HTML(note)
        with gr.Tabs(elem_id="eip-tabs"):
            with gr.Tab("Chat", id="chat", elem_id="eip-tab-chat"):
                chat.build(services)
            with gr.Tab("Zone dossier", id="dossier", elem_id="eip-tab-dossier"):
                dossier_parts = dossier.build(services)
            with gr.Tab("Scorecard", id="scorecard", elem_id="eip-tab-scorecard") as sc_tab:
                sc_parts = scorecard.build(services)
            with gr.Tab("Library", id="library", elem_id="eip-tab-library") as lib_tab:
                lib_parts = library.build(services)
            with gr.Tab("Evaluation", id="evaluation", elem_id="eip-tab-evaluation"):
                evaluation.build(services)
        sc_tab.select(sc_parts["refresh"], None, sc_parts["outputs"], concurrency_id="scorecard")
        lib_tab.select(lib_parts["refresh"], lib_parts["inputs"], lib_parts["outputs"])

        def _on_load(request: gr.Request) -> tuple[str, Any]:
            # Fresh counts in the header (uploads change them); the login name as reviewer,
            # fixed: with login on, reviews are recorded under it whatever the box says.
            user = getattr(request, "username", None)
            reviewer = gr.update(value=user, interactive=False) if user else gr.update()
            return header_html(services), reviewer

        demo.load(_on_load, None, [header, dossier_parts["reviewer"]], queue=False,
                  show_progress="hidden")
    # The browser talks to these events; nothing is published as a client API.
    for fn in demo.fns.values():
        fn.api_visibility = "private"
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=64)
    return demo


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, login: bool, insecure_no_auth: bool = False) -> None:
    """Refuse to serve beyond this machine without a login (unless explicitly told to)."""
    if login or insecure_no_auth or is_loopback(host):
        return
    raise ConfigError(f"refusing to serve on {host} without a login: anyone on the network "
                      "could read the documents and record reviews. Set EIP_AUTH_USERS or "
                      "EIP_AUTH_FILE, bind to 127.0.0.1, or pass --insecure-no-auth if another "
                      "layer (a reverse proxy with its own login) guards the app.")


def launch_kwargs(services: Services, *, host: str | None = None, port: int | None = None,
                  insecure_no_auth: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` (separate so tests can inspect them)."""
    from starlette.middleware import Middleware

    settings = services.settings
    authenticator = Authenticator.from_settings(settings)
    check_exposure(host or settings.host, authenticator is not None, insecure_no_auth)
    limiter = LoginLimiter(settings.auth_max_failures, settings.auth_lockout_seconds)
    kwargs: dict[str, Any] = {
        "server_name": host or settings.host,
        "server_port": port or settings.port,
        "share": False,
        "show_error": False,
        "max_file_size": services.max_upload_bytes,
        "ssr_mode": False,
        "mcp_server": False,
        "footer_links": [],
        "theme": theme(),
        "css": CSS,
        "app_kwargs": {"middleware": [Middleware(AuthGuard, limiter=limiter)], "docs_url": None,
                       "redoc_url": None, "openapi_url": None},
    }
    if authenticator is not None:
        # A bound coroutine method: Gradio awaits it (an object with an async __call__ would
        # be called without awaiting, and its coroutine taken for "logged in").
        kwargs["auth"] = authenticator.login
        kwargs["auth_message"] = f"Sign in to {PRODUCT}."
    return kwargs


def launch(services: Services, *, host: str | None = None, port: int | None = None,
           block: bool = True, quiet: bool = False, warm_up: bool = True,
           insecure_no_auth: bool = False) -> tuple[gr.Blocks, str]:
    """Build and serve the app; with ``block=False`` return at once (tests, embedding)."""
    kwargs = launch_kwargs(services, host=host, port=port, insecure_no_auth=insecure_no_auth)
    demo = build_app(services)
    started = threading.Event()
    if warm_up:
        threading.Thread(target=warm_up_and_draft, args=(services, started), name="eip-warm-up",
                         daemon=True).start()
    try:
        _, url, _ = demo.launch(prevent_thread_lock=not block, quiet=quiet, **kwargs)
    finally:
        started.set()  # with block=True, launch returns only when the server stops
    return demo, url


def warm_up_and_draft(services: Services, server_up: threading.Event | None = None) -> str | None:
    """Load the model, then (``draft_on_start``) draft zones that have no dossier yet.

    Drafting waits until the server answers (``server_up``, or a few seconds), so the first
    page load is not slowed; returns the drafting message (``None`` when nothing was to do).
    """
    from assistant import ops

    services.warm_up()
    if not services.settings.draft_on_start:
        return None
    try:
        if not ops.undrafted_zones(services.reviews, services.registry):
            return None
        if server_up is not None:
            server_up.wait(timeout=5.0)
        message = scorecard.draft_all_zones(services)
        logger.info("first-start drafting: %s", message)
        return message
    except Exception:  # noqa: BLE001 - the app keeps serving; the button retries with a message
        logger.exception("drafting the zones on start failed")
        return None
