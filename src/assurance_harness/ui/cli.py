"""``assurance ui``: serve the local web app (loopback unless ``--host`` says otherwise) and
``assurance ui index``: write the static ``reports/index.html`` for people without a server."""

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..cli_options import reports_folder
from ..console import err, term
from ..console import user_errors as _errors
from ..errors import UsageError
from ..workspace import Workspace


def ui_cmd(
    reports: Annotated[
        Path,
        typer.Option("--reports", help="Directory of run folders.", callback=reports_folder),
    ] = Path("reports"),
    register: Annotated[Path, typer.Option("--register", help="Risk register YAML file.")] = Path(
        "register/risk_register.yaml"
    ),
    ledger: Annotated[
        Path | None,
        typer.Option("--ledger", help="Evidence ledger (default: REPORTS/evidence/ledger.jsonl)."),
    ] = None,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; anything but loopback is on the network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8765,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Your reviewer name (default: $ASSURANCE_REVIEWER)."),
    ] = None,
    index_only: Annotated[
        bool, typer.Option("--index", help="Only write REPORTS/index.html and exit.")
    ] = False,
) -> None:
    """Browse runs, compare them and review flagged rows in a local web app.

    Follow a metric over runs, drill from a risk to the responses behind it, and give verdicts
    on flagged rows; no page runs script."""
    with _errors():
        if not host.strip():  # an unset $HOST: aiohttp would bind every interface
            raise UsageError(
                "--host is empty, which would serve on every interface; give 127.0.0.1 (this "
                "machine only, the default) or 0.0.0.0 (every interface) explicitly"
            )
        if index_only:
            from .static_index import write_index

            if not reports.is_dir():  # a mistyped --reports: made, it held an empty index
                raise UsageError(
                    f"--reports {reports}: no such folder; give the folder the runs are in"
                )

            path = write_index(reports)
            err.print(term(f"wrote {path}"))
            return
        from ..store.location import reports_to_read

        reports_to_read(reports)  # served, a mistyped one listed nothing and was made
        from aiohttp import web

        from ..review.adjudicate import reviewer_from_env
        from .allocator import bound_arenas
        from .app import SWITCH_INTERVAL_S, Settings, make_app
        from .security import HOSTS_KEY, allowed_hosts
        from .serverlog import install as install_server_log

        if host not in {"127.0.0.1", "localhost", "::1"}:
            err.print(
                term(
                    f"warning: binding {host}: anyone who can reach this address can read the "
                    "runs and record verdicts",
                    "yellow",
                )
            )
        name, _ = reviewer_from_env(reviewer)
        if name:  # refused now, not on the first verdict sent from its page
            from ..review.store import ReviewerNameTooLong, ReviewStore, reviewer_name

            try:
                name = reviewer_name(name)
            except ReviewerNameTooLong:  # one the store already holds from before the limit
                from ..store.location import index_available

                db = Workspace.at(reports).index
                # The team store when one is configured (ReviewStore opens it whatever path
                # it is given); else runs.db, where there is one: none is made to look.
                if not index_available(db):
                    raise
                name = ReviewStore(db).held_name(name)
        settings = Settings(
            reports=reports,
            register=register,
            ledger=Workspace.at(reports, ledger=ledger).ledger,
            reviewer=name,
        )

        application = make_app(settings, host=host, port=port)

        def started(message: str) -> None:  # run_app calls it once the address is bound
            # Its message names the bound address ("Running on http://127.0.0.1:41234"):
            # the port the system chose for --port 0, an IPv6 host in brackets.
            bound = re.findall(r"https?://\S+?(?=[, ]|$)", message.splitlines()[0])
            for url in bound:  # requests name that port in their Host header: let them in
                chosen = int(url.rsplit(":", 1)[1])
                application[HOSTS_KEY].update(allowed_hosts(host, chosen))
            urls = ", ".join(f"{u}/" for u in bound) or f"http://{host}:{port}/"
            err.print(term(f"assurance ui on {urls} (Ctrl-C to stop)"))

        install_server_log()  # a malformed request is a line, not aiohttp's traceback
        sys.setswitchinterval(SWITCH_INTERVAL_S)  # this process serves the app and nothing else
        bound_arenas()  # likewise, before the app's threads start (glibc only)
        try:
            web.run_app(application, host=host, port=port, print=started)
        except OSError as exc:  # the port is taken, the host does not resolve or is not ours
            raise UsageError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}; choose another --port "
                "or --host"
            ) from None
