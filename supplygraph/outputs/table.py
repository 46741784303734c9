"""Terminal text: tables laid out by rich to a width, and paragraphs wrapped at spaces only."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from io import StringIO

# Below this the table library folds a cell rather than wrap the table off the screen.
NARROWEST = 40


def render_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    align: str = "",
    width: int = 80,
    indent: int = 2,
    whole: Sequence[int] = (),
) -> str:
    """Lay out a table to a width: columns two spaces apart, cells wrapped at spaces.

    Ids and file names are never split at a hyphen; a column in ``whole`` (ids, names) is
    not split at all while the table can fit otherwise.

    Parameters
    ----------
    header
        The column headings.
    rows
        The cells, as text, one sequence per row.
    align
        A letter per column, ``l`` (left) or ``r`` (right); missing letters are ``l``.
    width
        The terminal's width in columns (at least :data:`NARROWEST` is used).
    indent
        Spaces before every line.
    whole
        Indices of the columns whose cells are kept on one line if the table fits.

    Returns
    -------
    str
        The table's lines, each ending in a newline, with no trailing spaces.

    Examples
    --------
    >>> print(render_table(("sector", "% lost"), [("Wind turbines", "17.7")], align="lr"), end="")
      sector         % lost
      Wind turbines    17.7
    """
    from rich.console import Console
    from rich.table import Table

    inner = max(width, NARROWEST) - indent
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_edge=False, header_style=None)
    widths = _widths(header, rows, inner, whole)
    for column, heading in enumerate(header):
        table.add_column(
            heading,
            justify="right" if align[column : column + 1] == "r" else "left",
            overflow="fold",
            width=widths[column],
        )
    for row in rows:
        table.add_row(*row)
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=inner,
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(table)
    pad = " " * indent
    return "".join(f"{pad}{line}".rstrip() + "\n" for line in buffer.getvalue().splitlines())


def _widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], inner: int, whole: Sequence[int]
) -> list[int]:
    """Each column's width: its longest cell, the widest narrowed first while the table is
    wider than ``inner``: first down to its heading, then to its longest word (its longest
    cell if in ``whole``, where the table fits so).

    The table library narrows columns below their longest word, which splits ids and names.
    """
    columns = [[heading, *(row[c] for row in rows)] for c, heading in enumerate(header)]
    widths = [max(len(text) for text in cells) for cells in columns]
    least = [
        max(len(word) for text in cells for word in (text.split() or [""])) for cells in columns
    ]
    kept = list(least)
    for c in whole:  # the header may still wrap
        kept[c] = max(least[c], *(len(text) for text in columns[c][1:]))
    if sum(kept) + 2 * (len(kept) - 1) <= inner:  # else they wrap at spaces like the rest
        least = kept
    # the cells wrap before the headings do, then the headings too, down to whole words
    # and last, too narrow for whole words: the widest columns fold theirs, not every one
    for floor in ([max(n, len(h)) for n, h in zip(least, header)], least, [1] * len(least)):
        while sum(widths) + 2 * (len(widths) - 1) > inner:
            slack = [c for c in range(len(widths)) if widths[c] > floor[c]]
            if not slack:
                break
            widths[max(slack, key=lambda c: widths[c])] -= 1
    return widths


def wrap_paragraph(text: str, *, width: int = 80, first: str = "", rest: str = "  ") -> str:
    """Wrap a paragraph at spaces only: an id or a file name is never split at a hyphen.

    Parameters
    ----------
    text
        The paragraph.
    width
        The terminal's width in columns.
    first, rest
        What the first line and the following lines start with.

    Returns
    -------
    str
        The wrapped lines, joined by newlines (no newline at the end).

    Examples
    --------
    >>> print(wrap_paragraph("Reports in output/x/: backtest-events.csv, a.csv", width=30))
    Reports in output/x/:
      backtest-events.csv, a.csv
    """
    return textwrap.fill(
        text,
        width=max(width, NARROWEST),
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )
