"""`recon web` (the screens, served by uvicorn) and `recon web-password` (a sign-in password)."""

from __future__ import annotations

import argparse
import getpass
import sys

from rich.console import Console


def web(args: argparse.Namespace, console: Console) -> int:
    import uvicorn

    from adapters.desk_store import desk_beside
    from adapters.readers import SourceFileError
    from settings.policy_file import PolicyError
    from settings.sources import ConfigError
    from web.app import create_app
    from web.runtime import WebSettings

    settings = WebSettings(warehouse=args.warehouse, desk=args.desk or desk_beside(args.warehouse),
                           sources=args.sources, policy=args.policy, web_config=args.web_config)
    try:
        app = create_app(settings, warm=True)
    except (ConfigError, PolicyError, SourceFileError) as exc:
        for line in str(exc).splitlines():
            print(f"recon web: {line}", file=sys.stderr)
        return 2
    console.print(f"screens on http://{args.host}:{args.port}/ (warehouse {settings.warehouse}, desk {settings.desk})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=False,
                server_header=False)
    return 0


def web_password(args: argparse.Namespace) -> int:
    from adapters.desk_store import DeskStore, desk_beside
    from web.people import normal_login
    from web.sessions import set_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.login}: ")
        if getpass.getpass("again: ") != password:
            print("recon web-password: the two passwords differ; nothing changed", file=sys.stderr)
            return 2
    try:
        set_password(DeskStore(args.desk or desk_beside(args.warehouse)), normal_login(args.login), password)
    except ValueError as exc:
        print(f"recon web-password: {exc}; nothing changed", file=sys.stderr)
        return 2
    print(f"password set for {args.login}")
    return 0
