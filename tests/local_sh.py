"""``deploy/local.sh N PORT`` run for real by the tests (tests/test_deploy.py, tests/browser/test_balancer.py):
:class:`Local` starts it in its own process group and reads the files it writes in its run directory."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCAL_SH = ROOT / "deploy" / "local.sh"
HEALTH = "/_stcore/health"
COOKIE = "OPTISCOPE"           # the affinity cookie deploy/haproxy.cfg inserts


def haproxy() -> str:
    """Debian's haproxy (/usr/sbin is not on every PATH); missing: skip, or fail when CI=true."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)
    if found is None:
        message = "haproxy is not installed (apt-get install haproxy)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, cookie: str | None = None) -> tuple[int, str | None]:
    """Status and Set-Cookie of a GET."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers.get("Set-Cookie")


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def ours(pid: int) -> bool:
    """``pid`` is alive and is one of the programs local.sh starts (not another process that took its number)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"streamlit" in command or b"haproxy" in command


class Local:
    """A running ``deploy/local.sh N PORT`` and the files it writes in its run directory."""

    def __init__(self, n: int, run_dir: Path, log_path: Path) -> None:
        self.n, self.run_dir, self.log_path = n, run_dir, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "OPTISCOPE_RUN_DIR": str(run_dir), "OPTISCOPE_ADDRESS": "127.0.0.1",
               "OPTISCOPE_PYTHON": sys.executable}
        self.log = log_path.open("w")
        # Its own process group, as a terminal gives a foreground job: Ctrl-C signals the whole group.
        self.process = subprocess.Popen(["bash", LOCAL_SH, str(n), str(self.port)], stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                        start_new_session=True)
        try:
            wait_until(lambda: "Optiscope is on" in self.output() or self.process.poll() is not None, 180, "local.sh")
            assert self.process.poll() is None, f"local.sh exited:\n{self.output()}"
        except BaseException:
            self.stop()
            raise

    def output(self) -> str:
        return self.log_path.read_text()

    def app_port(self, i: int) -> int:
        return int((self.run_dir / f"app{i}.port").read_text())

    def app_pid(self, i: int) -> int:
        return int((self.run_dir / f"app{i}.pid").read_text())

    def pids(self) -> list[int]:
        return [int(p.read_text()) for p in self.run_dir.glob("*.pid")]

    def stop(self) -> None:
        """Stop it as a person would (SIGTERM); if it does not stop within 30 s, kill its process group; then any
        process it started that is still there (a test that failed half-way must leave nothing behind)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in self.pids():
            if ours(pid):
                os.kill(pid, signal.SIGKILL)
        self.log.close()
