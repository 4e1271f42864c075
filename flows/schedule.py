"""Running the nightly flow every night at a chosen hour in the business time zone.

Prefect schedules only against a long-lived `prefect server start`: `recon serve` registers the
flow as a deployment with a cron schedule there and keeps a process running that executes it.
Without a Prefect server, `recon cron-line` prints the equivalent line for the system crontab.
"""

from __future__ import annotations

import shlex
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

DEPLOYMENT_NAME = "nightly"


def cron_expression(at: str) -> str:
    """`HH:MM` → a daily cron expression; rejects anything that is not a time of day."""
    try:
        moment = time.fromisoformat(at)
    except ValueError as exc:
        raise ValueError(f"--at must be HH:MM, not {at!r}") from exc
    return f"{moment.minute} {moment.hour} * * *"


def nightly_schedule(at: str, timezone: str):
    """A Prefect cron schedule firing daily at `at` in `timezone` (not the server's UTC)."""
    from prefect.schedules import Cron

    return Cron(cron_expression(at), timezone=timezone)


def serve(sources: Path, warehouse: Path, policy: Path, *, at: str, timezone: str) -> None:
    """Register the nightly deployment with its schedule and run it when due (blocks)."""
    from flows.nightly import nightly

    nightly.serve(
        name=DEPLOYMENT_NAME,
        schedules=[nightly_schedule(at, timezone)],
        parameters={
            "sources_path": str(sources.resolve()),
            "warehouse_path": str(warehouse.resolve()),
            "policy_path": str(policy.resolve()),
        },
        description=f"Customer registration reconciliation, daily at {at} {timezone}",
    )


def recon_executable() -> list[str]:
    """The command that starts this installation's `recon`, by absolute path: the `recon` script
    beside this interpreter (a virtual environment's bin/), else `python -m cli`."""
    interpreter = Path(sys.executable).absolute()  # not resolved: a venv's python is a symlink
    script = interpreter.parent / "recon"
    return [str(script)] if script.is_file() else [str(interpreter), "-m", "cli"]


def crontab_line(recon: list[str], sources: Path, warehouse: Path, policy: Path, *, at: str, timezone: str,
                 verbose: bool = False, machine_zone: ZoneInfo | None = None, on: date | None = None) -> str:
    """A system crontab entry running `recon run` at `at` in `timezone`, written in the machine's
    own zone (classic cron has no per-line time zone). Every path is absolute and nothing is read
    from the environment, so it runs under cron's empty environment from any folder; the output
    is appended to `logs/nightly.log` beside the warehouse."""
    cron_expression(at)  # validates
    business = datetime.combine(on or date.today(), time.fromisoformat(at), ZoneInfo(timezone))
    local = business.astimezone(machine_zone) if machine_zone else business.astimezone()
    logs = warehouse.parent / "logs"
    arguments = [*recon, "run", "--sources", str(sources), "--policy", str(policy), "--warehouse", str(warehouse)]
    arguments += ["--verbose"] if verbose else []
    command = (f"mkdir -p {shlex.quote(str(logs))} && {shlex.join(arguments)} "
               f">> {shlex.quote(str(logs / 'nightly.log'))} 2>&1")
    command = command.replace("%", "\\%")  # cron reads a bare % as the end of the command
    return (
        f"# recon nightly at {at} {timezone} (= {local:%H:%M} machine time)\n"
        f"{local.minute} {local.hour} * * * {command}"
    )
