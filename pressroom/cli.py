"""The command line: `pressroom build | check | new | init ...`. Prints errors as path:line: message.

Exit status: 0 success, 1 errors in the content or templates (or a broken site for check),
2 a usage error. Each command's work lives in the module named for it; this one reads the
arguments, calls it, and prints.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shlex
import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn, Sequence

from pressroom import __version__
from pressroom.errors import BuildFailed, SiteError, UsageError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
SITE_PARTS = ("content/", "templates/", "assets/", "pressroom.toml")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pressroom", description="A static site generator for newsrooms.")
    parser.add_argument("--version", action="version", version=f"pressroom {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", help="build the site into output/")
    add_build_options(build)
    build.add_argument("--check", action="store_true", help="then check the built site, as `pressroom check` does")
    build.set_defaults(run=run_build)

    check = commands.add_parser("check", help="build the site, then look for broken links, missing images and other slips")
    add_build_options(check)
    check.set_defaults(run=run_check)

    serve = commands.add_parser("serve", help="preview the site in a browser; it updates as you save")
    serve.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    serve.add_argument("--port", type=port_number, default=8000, help="the port to serve on (default: 8000; 0 picks a free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS", help="the address to serve on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True, help="show drafts, embargoed releases and releases dated in the future, each marked as such (default: shown)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    serve.set_defaults(run=run_serve)

    status = commands.add_parser("status", help="what is embargoed or scheduled, and when the site needs building again")
    status.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    status.add_argument("--days", type=int, default=30, metavar="N", help="how far ahead to look for events and labels (default: 30 days)")
    status.set_defaults(run=run_status)

    new = commands.add_parser("new", help="start a new release, event, label or page")
    new.add_argument("kind", choices=("release", "event", "label", "page"), metavar="KIND", help="release, event, label or page")
    new.add_argument("title", metavar="TITLE", help='its title, in quotes: "MEDVIA awarded Bronze Label"')
    new.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    new.set_defaults(run=run_new)

    init = commands.add_parser("init", help="make a new site in a new folder")
    init.add_argument("site_dir", metavar="DIR", help="the folder to create")
    init.add_argument("--title", default="Newsroom", help='the site\'s name (default: "Newsroom")')
    init.add_argument("--base-url", default="https://news.example.org/", metavar="URL", help="where the site will be online")
    init.add_argument("--timezone", metavar="ZONE", help="the newsroom's time zone, like Europe/Oslo (default: this computer's)")
    init.set_defaults(run=run_init)
    return parser


def add_build_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR", help="the site folder (default: .)")
    command.add_argument("--output", metavar="DIR", help="where to write the site (default: SITE_DIR/output)")
    command.add_argument("--drafts", action="store_true", help="include drafts, embargoed releases and releases dated in the future")
    command.add_argument("--base-url", metavar="URL", help="the address the site is served at, instead of base_url in pressroom.toml")


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f'"{text}" is not a port number; use one from 1024 to 65535, such as 8000')
    return int(text)


def main(argv: Sequence[str] | None = None, *, then_exit: bool = False) -> int:
    """Run one command; `then_exit` when the process ends with it (see entry())."""
    try:
        return run_command(argv, then_exit)
    finally:
        # The command is over: a Ctrl-C from now on has nothing left to stop. Ignored, it stays
        # ignored while Python shuts down, which would otherwise hand Ctrl-C back to the system
        # first, so that one arriving in those milliseconds killed the process (exit -2).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        forget_interrupts_already_handled()


def entry(argv: Sequence[str] | None = None) -> NoReturn:
    """The `pressroom` command (and `python -m pressroom`, build.py): main(), then out at
    once. A normal exit frees the build's objects one by one first, a fifth of a second after
    a build of ten thousand releases spent on nothing: every file is written and closed by
    then, and the worker pool is gone, so only the terminal's buffers are left to flush."""
    code = main(argv, then_exit=True)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def forget_interrupts_already_handled() -> None:
    """CPython 3.11 notes a Ctrl-C that passes out of any exec() or eval() of a source string
    (dataclasses and namedtuples make their methods so, for instance while a module is first
    imported) as never handled, even when this program handles it, and a `python -m pressroom`
    then ends by killing itself with SIGINT (exit -2) instead of exiting 130. Running a string
    through eval() resets that note; a Ctrl-C that really is unhandled sets it again."""
    eval("None")  # noqa: S307 - a constant string, never content


# What a build made, when the process ends with the command (see entry()): freeing ten
# thousand releases' objects one by one on the way out costs 50 ms, for nothing.
KEPT_TO_THE_END: list = []


def run_command(argv: Sequence[str] | None, then_exit: bool = False) -> int:
    args = make_parser().parse_args(argv)
    one_build = then_exit and args.run is not run_serve  # the preview builds again and again
    args.keep = KEPT_TO_THE_END if one_build else None
    if one_build:
        # All this process's garbage goes when it ends: no collection after the build (its
        # first pass would look at every object the build made, 0.1 s at 10,000 releases).
        gc.disable()
    try:
        return args.run(args)
    except UsageError as problem:
        print(f"pressroom {args.command}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except BuildFailed as failure:
        site_dir = Path(getattr(args, "site_dir", "."))
        report_warnings(failure.warnings, site_dir)
        report_errors(failure.errors, site_dir)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the same request, already answered
        with contextlib.suppress(AttributeError, OSError, ValueError):  # and any held back is dropped
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        print("pressroom: interrupted; the output folder holds the last complete site, as before", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a user sees one line, never a traceback
        if os.environ.get("PRESSROOM_DEBUG"):
            traceback.print_exc()
        print(f"pressroom: internal error: {type(exc).__name__}: {exc} (set PRESSROOM_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return 70


def site_folder(args: argparse.Namespace) -> Path:
    site_dir = Path(args.site_dir)
    if not site_dir.is_dir():
        raise UsageError(f"{args.site_dir}: no such folder")
    return site_dir


def build_site(args: argparse.Namespace):
    from pressroom.config import base_url_problem, normal_base_url
    from pressroom.unchanged import reuse

    site_dir = site_folder(args)
    base_url = None
    if args.base_url is not None:
        base_url = normal_base_url(args.base_url)
        if base_url is None:
            raise UsageError(f"--base-url: {base_url_problem(args.base_url)}")
    output = Path(args.output) if args.output else None
    # Asked before the rest of Pressroom is even loaded; --check wants the whole site at hand.
    looked = None if getattr(args, "check", True) else reuse(site_dir, output, drafts=args.drafts, base_url=base_url)
    if args.keep is not None:
        args.keep.append(looked)
    report = looked and looked.report
    if report is None:
        from pressroom.pipeline import build

        report = build(site_dir, output, drafts=args.drafts, base_url=base_url, reuse=False, looked=looked, keep=args.keep)
    report_warnings(report.warnings, site_dir)
    return report


def run_build(args: argparse.Namespace) -> int:
    report = build_site(args)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the new site is in place: nothing left to stop
    print(summary_line(report))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return report_findings(report, Path(args.site_dir)) if args.check else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    return report_findings(build_site(args), Path(args.site_dir))


def report_findings(report, site_dir: Path) -> int:
    """Print what the check found in the site just built; exit 1 if anything is broken."""
    from pressroom.check import Finding, check_site

    findings = check_site(report.site, site_dir.resolve(), report.output_dir)
    for finding in findings:
        print(Finding(shown_error(finding.where, site_dir), finding.broken), file=sys.stderr)
    broken = sum(1 for f in findings if f.broken)
    warnings = len(findings) - broken
    counted = f"{broken} broken, {warnings} warning{'s' if warnings != 1 else ''}"
    if broken:
        print(f"pressroom: {counted} in the site in {shown_path(report.output_dir)}; fix the broken ones before putting it online", file=sys.stderr)
        return EXIT_ERRORS
    print(f"Checked {report.pages} pages in {shown_path(report.output_dir)}: {counted}")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    from pressroom.pipeline import build_now, load_site
    from pressroom.status import status_lines

    if args.days < 0:
        raise UsageError(f"--days: {args.days} is not a number of days ahead; write 0 or more, such as --days 30")
    site = load_site(site_folder(args).resolve(), build_now())
    print("\n".join(status_lines(site, args.days)))
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from pressroom.pipeline import build_now, load_config
    from pressroom.scaffold import create_new, new_file

    site_dir = site_folder(args)
    config = load_config(site_dir)
    today = build_now().astimezone(config.tz).date()
    path = create_new(site_dir, new_file(args.kind, args.title, today, config))
    print(shown_path(path))
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pressroom.config import base_url_problem, normal_base_url
    from pressroom.pipeline import build_now
    from pressroom.scaffold import create_site, local_timezone, site_files

    timezone = args.timezone or local_timezone()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f'--timezone: "{timezone}" is not a known time zone; write one like Europe/Oslo') from None
    base_url = normal_base_url(args.base_url)
    if base_url is None:
        raise UsageError(f"--base-url: {base_url_problem(args.base_url)}")
    target = Path(args.site_dir)
    create_site(target, site_files(build_now().astimezone(zone).date(), args.title, base_url, timezone))
    print(f"Made a new site in {shown_path(target)}; build it with: pressroom build {shlex.quote(shown_path(target))}")
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

    server = PreviewServer(site_dir, port=args.port, bind=args.bind, drafts=args.drafts, on_build=show, say=lambda line: print(line, flush=True))
    print(f"Building the preview of {shown_path(site_dir)} ...", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops as cleanly as Ctrl-C
    try:
        try:
            show(server.start())
        except OSError as exc:
            print(f"pressroom: cannot serve on {args.bind} port {args.port}: {exc.strerror or exc}; choose another with --port", file=sys.stderr)
            return EXIT_USAGE
        shown = "drafts, embargoed and scheduled releases are shown" if args.drafts else "drafts, embargoed and scheduled releases are hidden"
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
    return line + f" ({report.written} changed, {report.unchanged} unchanged, {report.removed} removed){report.notes}"


def shown_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def shown_error(error: SiteError, site_dir: Path) -> SiteError:
    """The error with a path the user can open from where they ran the command."""
    path = error.path
    if path.startswith(SITE_PARTS) and site_dir.resolve() != Path.cwd().resolve():
        path = os.path.relpath(site_dir / path)
    elif os.path.isabs(path):
        path = shown_path(Path(path))
    return SiteError(path, error.line, error.message)


def report_warnings(warnings, site_dir: Path) -> None:
    """Warnings do not stop the build: `path:line: warning: message`."""
    for warning in warnings:
        print(shown_error(SiteError(warning.path, warning.line, f"warning: {warning.message}"), site_dir), file=sys.stderr)


def report_errors(errors: list[SiteError], site_dir: Path) -> None:
    """One line per problem, all of them, then how many."""
    for error in errors:
        print(shown_error(error, site_dir), file=sys.stderr)
    count = len(errors)
    print(f"pressroom: {count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
