"""A small progress display for the terminal: one line per stage with its row count and time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

_console = Console(stderr=True, highlight=False)


@contextmanager
def stage(title: str, rows: Callable[[], int] | None = None) -> Iterator[None]:
    """Show a spinner while the stage runs; afterwards print its title, the row count `rows()`
    gives once the stage is done (if given), and its time."""
    started = time.perf_counter()
    with _console.status(f"[bold]{title}[/bold] …"):
        yield
    elapsed = time.perf_counter() - started
    rows_text = f" — {rows():,} rows" if rows is not None else ""
    _console.print(f"[green]✓[/green] {title}{rows_text} ({elapsed:.1f} s)")
