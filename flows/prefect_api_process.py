"""The other end of `flows.prefect_runtime`: Prefect's API for one night, served from a process of its
own (`python -c ... main(port)`), with its database in the `PREFECT_HOME` the night set.

It stops when the night stops it (SIGTERM, which uvicorn answers by shutting down), or when the night's
process dies (the Linux parent-death signal): a killed night leaves no server behind.
"""

from __future__ import annotations

from flows.worker_process import stopped_with_parent


def main(port: int) -> None:
    stopped_with_parent()
    import uvicorn
    from prefect.server.api.server import create_app

    app = create_app(ephemeral=True, final=True)
    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")).run()
