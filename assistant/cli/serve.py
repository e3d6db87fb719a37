"""``eip serve``: the web app."""

from __future__ import annotations

import sys

import click

from assistant.cli.base import Ctx, cli, fail, pass_ctx
from assistant.errors import EIPError


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
    obj: Ctx, host: str | None, port: int | None, hash_user: str | None, insecure_no_auth: bool
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
    from assistant.storage.index import index_status
    from assistant.ui.auth import configured_users

    settings = obj.settings(host=host, port=port)
    try:  # configuration first: a refusal must not wait for the index or the model
        plain, hashed = configured_users(settings)
        from assistant.ui.app import check_exposure

        check_exposure(settings.host, bool(plain or hashed), insecure_no_auth)
    except EIPError as exc:
        raise fail(exc) from exc
    if (problem := index_status(settings)) is not None:
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
        raise fail(exc) from exc
    finally:
        services.close()
