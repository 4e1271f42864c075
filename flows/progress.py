"""A small progress display for the terminal: one line per stage with its row count and time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

_console = Console(stderr=True, highlight=False)


@contextmanager
def stage(title: str) -> Iterator[dict]:
    """Show a spinner while the stage runs; afterwards print its title, `rows` if set, and time."""
    info: dict = {}
    started = time.perf_counter()
    with _console.status(f"[bold]{title}[/bold] …"):
        yield info
    elapsed = time.perf_counter() - started
    rows = f" — {info['rows']:,} rows" if "rows" in info else ""
    _console.print(f"[green]✓[/green] {title}{rows} ({elapsed:.1f} s)")
