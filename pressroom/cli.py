"""The command line: `pressroom build | serve ...`. Prints errors as path:line: message.

Exit status: 0 success, 1 errors in the content or templates, 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

from pressroom import __version__
from pressroom.errors import BuildFailed, SiteError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
SITE_PARTS = ("content/", "templates/", "assets/", "pressroom.toml")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pressroom", description="A static site generator for newsrooms.")
    parser.add_argument("--version", action="version", version=f"pressroom {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", help="build the site into output/")
    build.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    build.add_argument("--output", metavar="DIR", help="where to write the site (default: SITE_DIR/output)")
    build.add_argument("--drafts", action="store_true", help="include drafts and releases dated in the future")

    serve = commands.add_parser("serve", help="preview the site in a browser; it updates as you save")
    serve.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    serve.add_argument("--port", type=port_number, default=8000, help="the port to serve on (default: 8000; 0 picks a free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="the address to serve on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True, help="show drafts and releases dated in the future, marked as such (default: shown)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    return parser


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f'"{text}" is not a port number; use one from 1024 to 65535, such as 8000')
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return run_serve(args) if args.command == "serve" else run_build(args)
    except BuildFailed as failure:
        report_errors(failure.errors, Path(getattr(args, "site_dir", ".")))
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("pressroom: interrupted; the previous output is untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a user sees one line, never a traceback
        if os.environ.get("PRESSROOM_DEBUG"):
            traceback.print_exc()
        print(f"pressroom: internal error: {type(exc).__name__}: {exc} (set PRESSROOM_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return 70


def run_build(args: argparse.Namespace) -> int:
    from pressroom.pipeline import build

    site_dir = Path(args.site_dir)
    if not site_dir.is_dir():
        print(f"pressroom: {args.site_dir}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output) if args.output else None
    report = build(site_dir, output, drafts=args.drafts)
    print(summary_line(report))
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    import signal
    import threading
    import webbrowser

    from pressroom.config import CONFIG_NAME
    from pressroom.serve import PreviewServer, describe

    site_dir = Path(args.site_dir)
    if not site_dir.is_dir():
        print(f"pressroom: {args.site_dir}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    if not (site_dir / CONFIG_NAME).is_file():
        raise BuildFailed([SiteError(CONFIG_NAME, None, "not found; is this a Pressroom site folder? Name the folder that holds pressroom.toml")])

    def show(outcome) -> None:
        print(describe(outcome), file=sys.stderr if outcome.errors else sys.stdout, flush=True)

    server = PreviewServer(site_dir, port=args.port, bind=args.bind, drafts=args.drafts, on_build=show)
    print(f"Building the preview of {shown_path(site_dir)} ...", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops as cleanly as Ctrl-C
    try:
        try:
            show(server.start())
        except OSError as exc:
            print(f"pressroom: cannot serve on {args.bind} port {args.port}: {exc.strerror or exc}; choose another with --port", file=sys.stderr)
            return EXIT_USAGE
        shown = "drafts and scheduled releases are shown" if args.drafts else "drafts and scheduled releases are hidden"
        print(f"Serving {server.url} ({shown}); press Ctrl-C to stop", flush=True)
        if args.open:
            webbrowser.open(server.url)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("Stopped.", flush=True)
    return EXIT_OK


def summary_line(report) -> str:
    line = f"Built {report.pages} pages in {report.seconds:.2f} s into {shown_path(report.output_dir)}"
    line += f" ({report.written} changed, {report.unchanged} unchanged, {report.removed} removed)"
    if report.held_back:
        drafts = sum(1 for r in report.held_back if r.draft)
        scheduled = len(report.held_back) - drafts
        line += f"; held back: {drafts} draft(s), {scheduled} scheduled"
    if report.next_change:
        line += f"; next change {moment_text(report.next_change.moment)}: {report.next_change.reason}"
    return line


def moment_text(moment) -> str:
    """ "3 December 2026, 09:30 CET": when to build again, in the site's own time."""
    from pressroom.render import long_date, zone_abbreviation

    return f"{long_date(moment)}, {moment:%H:%M} {zone_abbreviation(moment)}"


def shown_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def report_errors(errors: list[SiteError], site_dir: Path) -> None:
    """One line per problem, with paths the user can open from where they ran the command."""
    for error in errors:
        path = error.path
        if path.startswith(SITE_PARTS) and site_dir.resolve() != Path.cwd().resolve():
            path = os.path.relpath(site_dir / path)
        print(SiteError(path, error.line, error.message), file=sys.stderr)
    count = len(errors)
    print(f"pressroom: {count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
