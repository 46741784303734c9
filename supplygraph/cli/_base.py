"""What every command shares: the group, options, error handling, report folders, progress."""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .._version import __version__
from ..dataset.schema import parse_date, parse_number

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    """Bad input or usage: printed without a traceback, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


def wrap_help(text: str, width: int, first: str = "", rest: str = "") -> str:
    """click's paragraph wrapping (a ``\\b`` line keeps a block as written), at spaces
    only: ``docs/data-quality.md`` and ``2025-10-package`` are never split at a hyphen."""
    import textwrap

    paragraphs = re.split(r"\n[ \t]*\n", text.expandtabs())
    out = []
    for index, block in enumerate(paragraphs):
        start = first if index == 0 else rest
        if block.lstrip(" ").startswith("\b"):
            out.append("\n".join(rest + line for line in block.splitlines()[1:]))
            continue
        lines = block.splitlines() or [""]
        indent = " " * (len(lines[0]) - len(lines[0].lstrip()))
        out.append(
            textwrap.fill(
                " ".join(line.strip() for line in lines),
                width,
                initial_indent=start + indent,
                subsequent_indent=rest + indent,
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return "\n\n".join(out)


class HelpFormatter(click.HelpFormatter):
    """click's help layout, wrapped by :func:`wrap_help`."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_help(text, self.width, indent, indent) + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max(len(term) for term, _ in rows), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - len(term)))
            else:
                self.write("\n" + pad)
            wrapped = wrap_help(text, max(self.width - first_col - 2, 10))
            self.write(wrapped.replace("\n", "\n" + pad).replace(pad + "\n", "\n") + "\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class Command(click.Command):
    context_class = Context


class Group(click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a subgroup (trade) is a Group too


@click.group(cls=Group, context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.version_option(__version__, "-V", "--version", prog_name="supplygraph")
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected failures.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Rare-earth supply-chain graph explorer: who runs short, by how much and when,
    if China's export licences stop or slow.

    \b
    Example:
        supplygraph simulate --scenario 2025-10-package

    The docs/*.md pages named in the help ship with the package: supplygraph docs
    NAME prints one (supplygraph docs reports: every report's columns).
    """
    ctx.obj = {"debug": debug}
    if ctx.invoked_subcommand is None:  # bare `supplygraph`: the help, and no error
        click.echo(ctx.get_help())
        ctx.exit(0)


class PlainNumber(click.ParamType):
    """A plain decimal as in the data files (no ``inf``, ``nan``, ``1_000``)."""

    name = "number"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        number = value if isinstance(value, float) else parse_number(str(value).strip())
        if number is None:
            self.fail(f"{value!r} is not a plain decimal number such as 30 or 12.5", param, ctx)
        return number


class IsoDate(click.ParamType):
    """A ``YYYY-MM-DD`` date, as in regimes.csv."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        date = parse_date(str(value).strip())
        if date is None:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)
        return date


OVERLAYS = "supplygraph.overlays"  # ctx.meta: the --overlay folders, for load_graph


def _keep_overlays(ctx: click.Context, param: Any, value: tuple[Path, ...]) -> None:
    ctx.meta[OVERLAYS] = tuple(value)


def given_overlays() -> tuple[Path, ...]:
    """Return the ``--overlay`` folders of the running command (none outside one)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(OVERLAYS, ()) if ctx is not None else ()


def data_option(function: Any) -> Any:
    """The ``--data DIR`` option, and ``--overlay DIR`` (repeatable) on top of it; the
    overlays reach :func:`load_graph` and :func:`build_scenario` through the context."""
    function = click.option(
        "--overlay",
        "overlay_dirs",
        type=click.Path(path_type=Path),
        multiple=True,
        metavar="DIR",
        expose_value=False,
        callback=_keep_overlays,
        help="An overlay folder on top of the data: your own plants, lines and flows "
        "(nodes.csv, edges.csv[, lines.csv, scenarios/]). Repeatable.",
    )(function)
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Dataset folder (nodes.csv, edges.csv[, regimes.csv, "
        "scenarios/]); default: the bundled data.",
    )(function)


def out_option(help: str, name: str = "out_dir") -> Any:
    """The ``--out`` option: where a command writes (a folder, or a file with ``name``)."""
    return click.option("--out", name, type=click.Path(path_type=Path), default=None, help=help)


@contextmanager
def errors_handled(ctx: click.Context) -> Iterator[None]:
    """Turn library errors into one-line messages and exit codes (2: input, 1: failure)."""
    from .._errors import DataError, SupplyGraphError

    try:
        yield
    except DataError as exc:
        for issue in exc.issues:
            click.echo(f"error: {issue}", err=True)
        count = f"{len(exc.issues)} error{'s' if len(exc.issues) != 1 else ''} in the data"
        # a command that writes says nothing was (validate only with --quality-out)
        writes = ctx.info_name != "scenarios" and (
            ctx.info_name != "validate" or ctx.params.get("quality_dir") is not None
        )
        raise UserError(count + ("; nothing was written" if writes else "")) from None
    except SupplyGraphError as exc:
        raise UserError(f"error: {exc}") from None
    except BrokenPipeError:
        raise  # the reader went away (`| head`): click ends quietly (exit 1, no message)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise UserError(f"error: cannot write or read{where}: {exc.strerror or exc}") from None
    except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        else:
            click.echo("(run with --debug for the traceback)", err=True)
        raise click.ClickException(f"unexpected failure: {type(exc).__name__}: {exc}") from None


def load_graph(data_dir: Path | None) -> Any:
    from ..dataset.graph import load

    return load(data_dir, overlay=given_overlays())


def build_scenario(
    name: str | None, data_dir: Path | None, *, as_of: Any = None, **flags: Any
) -> Any:
    """Return the named scenario (or the baseline) with the command-line flags applied."""
    from ..scenario.parse import Scenario, compose, load_scenario

    scenario = (
        load_scenario(name, data_dir=data_dir, overlays=given_overlays())
        if name
        else Scenario("baseline", "Baseline")
    )
    return compose(scenario, as_of=as_of, **flags)


def scenario_option(
    help: str = "A bundled scenario name (see `supplygraph scenarios`) or a TOML file.",
    *,
    required: bool = False,
    default: str | None = None,
) -> Any:
    """The ``--scenario/-s NAME|FILE`` option (its value is ``scenario_name``)."""
    shown = {"show_default": True} if default is not None else {}
    return click.option(
        "--scenario",
        "-s",
        "scenario_name",
        metavar="NAME|FILE",
        required=required,
        default=default,
        help=help,
        **shown,
    )


def scenario_options(function: Any) -> Any:
    """The scenario and the flags that change it (``--regime``, ``--cut``, ...)."""
    options = [
        scenario_option(),
        click.option(
            "--as-of",
            type=IsoDate(),
            default=None,
            help="Date the regimes are judged on (replaces the scenario's).",
        ),
        click.option(
            "--regime",
            "regimes",
            multiple=True,
            metavar="ID[=SHARE]",
            help="Enforce a regime: cut, or throttled to SHARE licensed. Repeatable.",
        ),
        click.option(
            "--cut",
            "cuts",
            multiple=True,
            metavar="SELECTOR",
            help="Cut edges (key=value,...) or nodes (node:key=value). Repeatable.",
        ),
        click.option(
            "--throttle",
            "throttles",
            multiple=True,
            metavar="SELECTOR=SHARE",
            help="Throttle a selection to SHARE of its flow. Repeatable.",
        ),
        click.option(
            "--spare",
            "spares",
            multiple=True,
            metavar="node:SELECTOR=SHARE",
            help="Assume spare capacity for rerouting: the nodes could make SHARE "
            "more than their baseline (replaces their capacity_t). Repeatable.",
        ),
        click.option(
            "--extraterritorial/--no-extraterritorial",
            default=None,
            help="Apply 0.1%-content rules such as No. 61 (default: the scenario's).",
        ),
        click.option(
            "--ignore-suspensions",
            is_flag=True,
            help="Treat suspended regimes as in force (the measures as announced).",
        ),
        click.option(
            "--stock-days",
            type=PlainNumber(),
            default=None,
            help="Stock cover for nodes without a stock_days figure (default 0).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def given_flags(ctx: click.Context, names: list[str]) -> list[str]:
    """Return the options among ``names`` that differ from their defaults, as typed."""
    words = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.name not in names or value in (None, ()) or value == param.get_default(ctx):
            continue
        option = max(param.opts, key=len)
        if isinstance(param, click.Option) and param.is_flag:
            words.append(option if value else max(param.secondary_opts, key=len))
            continue
        for item in value if param.multiple else (value,):
            text = item.date().isoformat() if hasattr(item, "date") else str(item)
            words += [option, text]
    return words


def default_folder(name: str, given: list[str], *, data: str = "") -> Path:
    """Return ``output/NAME``, with ``--data-TAG`` for a dataset other than the bundled one
    and ``--FINGERPRINT`` when flags change the run.

    The fingerprint (8 hex digits of a SHA-256 of the flags) keeps a run with flags from
    replacing the reports of the scenario as named, or of a run with other flags; the data's
    tag (:func:`data_tag`) keeps a run on one dataset from replacing a run on another.
    """
    folder = f"{name}--data-{data}" if data else name
    if given:
        fingerprint = hashlib.sha256(json.dumps(given).encode("utf-8")).hexdigest()[:8]
        folder = f"{folder}--{fingerprint}"
    return Path("output") / folder


def data_tag(graph: Any) -> str:
    """Return "" for the bundled data without overlays, else 8 hex digits of a SHA-256 of
    the dataset's and the overlays' absolute paths and the checksum (which covers the
    overlays' files): other data or overlays, or the same edited, get other folders."""
    from ..dataset.io import bundled_data_dir

    folder = graph.folder.resolve()
    if folder == bundled_data_dir().resolve() and not graph.overlays:
        return ""
    # the path too: two copies may differ in what the checksum leaves out (scenarios/,
    # approvals.csv, transit.csv, capacity.csv)
    overlays = [str(Path(overlay).resolve()) for overlay in graph.overlays]
    key = json.dumps([str(folder), graph.checksum, *overlays])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def report_folder(out_dir: Path | None, name: str, given: list[str], graph: Any) -> Path:
    """Return ``--out`` or the default folder; never the dataset's (whose files it would
    replace)."""
    data = data_tag(graph)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # for print_folder_note, which names the data's plain folder
        ctx.meta["supplygraph.data_tag"] = data
    out = out_dir or default_folder(name, given, data=data)
    for kind, folder in [("dataset", graph.folder), *(("overlay", o) for o in graph.overlays)]:
        if out.resolve() == Path(folder).resolve():
            raise UserError(
                f"error: cannot write the reports into the {kind} folder {out}: "
                "they would replace its nodes.csv and edges.csv"
            )
    return out


def print_folder_note(name: str | None, given: list[str], out_dir: Path | None) -> None:
    """Say why a run with flags went to a folder of its own."""
    if given and out_dir is None:
        data = click.get_current_context().meta.get("supplygraph.data_tag", "")
        plain = f"; {default_folder(name, [], data=data)}/ was left as it was" if name else ""
        echo_wrapped(f"(a folder of its own for the flags {' '.join(given)}{plain})")


@contextmanager
def progress(quiet: bool, steps: int) -> Iterator[Any]:
    """Yield a step(label) callable that shows a progress bar on stderr unless quiet."""
    if quiet or not sys.stderr.isatty():  # a bar in a log file is noise
        yield lambda label: None
        return
    with click.progressbar(
        length=steps, file=sys.stderr, label="supplygraph", show_eta=False
    ) as bar:

        def step(label: str) -> None:
            bar.label = f"{label:<40}"
            bar.update(1)

        yield step
        bar.update(bar.length - bar.pos)  # done: a bar that stopped at 92% reads as a hang


def open_in_browser(page: Path) -> None:
    """Open a page in the user's browser, or say plainly that none was found and where it is."""
    import webbrowser

    try:
        browser = webbrowser.get()
        opened = browser.open(page.resolve().as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        click.echo(f"No web browser was found to open the page; open {page} in one.", err=True)


def terminal_width() -> int:
    """The terminal's width in columns (``COLUMNS`` when set; 80 when not a terminal)."""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def echo_wrapped(text: str, *, first: str = "", rest: str = "  ", err: bool = False) -> None:
    """Print a paragraph wrapped to the terminal at spaces, never inside an id or file name."""
    from ..outputs.table import wrap_paragraph

    click.echo(wrap_paragraph(text, width=terminal_width(), first=first, rest=rest), err=err)


def echo_reports(out: Path, paths: list[Path]) -> None:
    """Say where the reports went, wrapped to the terminal's width."""
    click.echo("")
    echo_wrapped(f"Reports in {out}/: " + ", ".join(p.name for p in paths))


def number_text(value: Any, spec: str) -> str:
    """A figure for the terminal table; a dash where there is none."""
    return "-" if value is None or value != value else format(value, spec)


def print_table(rows: list[tuple[str, ...]], align: str, whole: tuple[int, ...] = ()) -> None:
    """Print a terminal table to the terminal's width (:func:`outputs.table.render_table`):
    rows of cells (the header first), ``align`` a letter per column, ``l`` or ``r``;
    the columns in ``whole`` (ids) are kept on one line where the table fits."""
    from ..outputs.table import render_table

    text = render_table(rows[0], rows[1:], align=align, width=terminal_width(), whole=whole)
    click.echo(text, nl=False)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="supplygraph")


def telling_digits(value: float, *edges: float, least: int = 2, most: int = 4) -> int:
    """Decimals enough to tell a value from each edge it differs from, as printed.

    A check printed ``0.07`` against a band from ``0.07`` and marked outside reads as a
    contradiction; with one more decimal it reads ``0.074`` against ``0.074``, with two
    ``0.0743`` against ``0.0744``.

    Parameters
    ----------
    value
        The observed figure.
    *edges
        The figures it is set against (a band's ends).
    least, most
        The fewest and the most decimals to print.

    Returns
    -------
    int
        The fewest decimals from ``least`` to ``most`` at which ``value`` prints apart
        from every edge it is not equal to (``most`` when none suffices).

    Examples
    --------
    >>> telling_digits(0.0743, 0.0744, 0.53), telling_digits(0.57, 0.37, 0.94)
    (4, 2)
    """
    for digits in range(least, most):
        if all(f"{value:.{digits}f}" != f"{edge:.{digits}f}" for edge in edges if edge != value):
            return digits
    return most


def band_text(
    central: float, p10: float, p90: float, digits: int = 1, ends: int | None = None
) -> str:
    """A central figure with its band, as the terminal shows it: ``30.9 (25-37)``.

    Parameters
    ----------
    central, p10, p90
        The figure and its band.
    digits
        Decimals of the central figure.
    ends
        Decimals of the band's ends (default: whole numbers, one decimal below 10).

    Returns
    -------
    str

    Examples
    --------
    >>> band_text(30.94, 25.2, 36.8), band_text(0.42, 0.1, 1.26)
    ('30.9 (25-37)', '0.4 (0.1-1.3)')
    """

    def end(value: float) -> str:
        if ends is not None:
            return f"{value:.{ends}f}"
        return f"{value:.0f}" if abs(value) >= 10 or value == 0 else f"{value:.1f}"

    return f"{central:.{digits}f} ({end(p10)}-{end(p90)})"


def count_text(value: float, figures: int = 3) -> str:
    """A count (vehicles, units) to ``figures`` significant figures, with thousands commas.

    A band's ends come from a few hundred draws: their fourth digit is noise, so a count
    is shown as ``298,000`` rather than ``297506``.

    Parameters
    ----------
    value
        The count.
    figures
        Significant figures kept.

    Returns
    -------
    str

    Examples
    --------
    >>> count_text(297506.2), count_text(61703), count_text(1865.7), count_text(91.4), count_text(0)
    ('298,000', '61,700', '1,870', '91', '0')
    """
    if value == 0 or value != value:
        return f"{value:,.0f}"
    magnitude = math.floor(math.log10(abs(value)))
    return f"{round(value, figures - 1 - magnitude):,.0f}"
