"""The local BigQuery emulator of the ``bigquery`` tests: start it, wait for it, stop it.

``bqemulator`` (PyPI) lives in its own virtualenv, ``.venv-bqemu`` (``make bqemu``; its duckdb pin
would hold back hotline's). ``start_emulator`` runs ``bqemulator start`` with both ports 0 (the
emulator picks free ones and logs them: no race for a port), reads the REST port from its log,
and waits until the REST API answers. The log is kept in a file so a failure can show it.

Known gaps of the emulator (so the code under test avoids them): ``load_table_from_json`` fails
(NDJSON through ``load_table_from_file`` works), ``insertId`` dedup is not emulated, the table
API cannot create a RECORD with a field named ``end`` (DDL can), query parameters are refused
inside multi-statement scripts, and ``ALTER TABLE`` does not show in ``tables.get``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-bqemu"
PROJECT = "test-project"
START_TIMEOUT_S = 90.0


class EmulatorUnavailable(RuntimeError):
    """The emulator is not installed (``make bqemu``)."""


@dataclass
class Emulator:
    endpoint: str  # http://127.0.0.1:PORT
    project: str
    process: subprocess.Popen[bytes]
    log_path: Path
    start_seconds: float

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def executable(venv: Path = VENV) -> Path:
    """The ``bqemulator`` command, or EmulatorUnavailable saying how to get it."""
    override = os.environ.get("HOTLINE_BQEMULATOR")
    path = Path(override) if override else venv / "bin" / "bqemulator"
    if not path.exists():
        raise EmulatorUnavailable(
            f"BigQuery emulator not installed ({path} missing): run `make bqemu` "
            "(`make test` does it) to build .venv-bqemu"
        )
    return path


def _rest_port(log_path: Path) -> int | None:
    """The REST port, from the emulator's ``rest.listen`` log line."""
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"rest.listen"' not in line:
            continue
        try:
            return int(json.loads(line)["port"])
        except (ValueError, KeyError):
            continue
    return None


def _answers(endpoint: str, project: str) -> bool:
    url = f"{endpoint}/bigquery/v2/projects/{project}/datasets"
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_emulator(log_path: Path, project: str = PROJECT) -> Emulator:
    """Start the emulator on free loopback ports and wait until its REST API answers."""
    cmd = [
        str(executable()),
        "start",
        "--rest-host", "127.0.0.1", "--rest-port", "0",
        "--grpc-host", "127.0.0.1", "--grpc-port", "0",
        "--project", project,
        "--log-format", "json",
    ]  # fmt: skip
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=log_path.parent)
    emulator = Emulator("", project, process, log_path, 0.0)
    deadline = t0 + START_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"bqemulator exited with {process.returncode}:\n{emulator.log_tail()}"
                )
            port = _rest_port(log_path)
            if port and _answers(f"http://127.0.0.1:{port}", project):
                emulator.endpoint = f"http://127.0.0.1:{port}"
                emulator.start_seconds = time.monotonic() - t0
                return emulator
            time.sleep(0.1)
        raise RuntimeError(
            f"bqemulator not ready after {START_TIMEOUT_S:.0f} s:\n{emulator.log_tail()}"
        )
    except BaseException:
        emulator.stop()
        raise
