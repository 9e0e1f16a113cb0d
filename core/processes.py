"""Stopping a child process together with everything it started."""

import contextlib
import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen, *, timeout: float = 15) -> None:
    """SIGTERM the process's group (a Celery worker's pool and beat too), SIGKILL what is left after ``timeout``.

    The process must have been started with ``start_new_session=True``.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
