"""A real ``vigil serve`` for the tests: the built CLI on a free loopback port with a temporary data directory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)  # clients/python: importable by path, as a checkout is used
REPO = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
if PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, PACKAGE_ROOT)

DEFAULT_DLL = os.path.join(REPO, "src", "Vigil.Cli", "bin", "Debug", "net10.0", "vigil.dll")
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class VigilServer:
    """Starts ``dotnet vigil.dll serve`` and stops it with SIGTERM. ``VIGIL_CLI_DLL`` overrides the build path.
    ``config`` is more YAML for vigil.yaml (breakers and gates are declared there, not made through the API)."""

    def __init__(self, config: str = "") -> None:
        self.extra_config = config
        self.dir = tempfile.mkdtemp(prefix="vigil-python-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = ""
        self.key_file = os.path.join(self.dir, "data", "admin.key")
        self._log_path = os.path.join(self.dir, "serve.log")
        self.process: Optional[subprocess.Popen[bytes]] = None

    def start(self) -> None:
        dll = os.environ.get("VIGIL_CLI_DLL", DEFAULT_DLL)
        if not os.path.exists(dll):
            raise RuntimeError(f"{dll} is missing: build the CLI first (dotnet build src/Vigil.Cli)")
        config = os.path.join(self.dir, "vigil.yaml")
        with open(config, "w", encoding="utf-8") as f:
            # One config check (the rest are created through the API, one per test); no receivers.
            f.write("checks:\n  from-config:\n    every: 1h\n" + self.extra_config)
        with open(self._log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["dotnet", dll, "serve", "--data", os.path.join(self.dir, "data"), "--urls", self.url, "--config", config],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_NOLOGO": "1"},
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vigil serve exited with {self.process.returncode}:\n{self.log_tail()}")
            if os.path.exists(self.key_file) and self.healthy():
                with open(self.key_file, encoding="utf-8") as f:
                    self.key = f.read().strip()
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"vigil serve did not become healthy in {START_TIMEOUT_S:g}s:\n{self.log_tail()}")

    def freeze(self) -> None:
        """SIGSTOP, then wait until every thread of the server has really stopped: kill() only queues the signal, and
        on a busy VM a thread can still answer a request that arrives in the next moments."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        tasks = f"/proc/{self.process.pid}/task"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            states = []
            for tid in os.listdir(tasks):
                try:
                    with open(f"{tasks}/{tid}/stat", encoding="ascii") as f:
                        states.append(f.read().rsplit(")", 1)[1].split()[0])
                except OSError:
                    continue  # the thread ended meanwhile
            if states and all(state in ("T", "t") for state in states):
                return
            time.sleep(0.01)
        raise AssertionError(f"vigil serve did not stop within 5 s of SIGSTOP: thread states {states}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # in case a test left it stopped
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            with open(self._log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def api(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Tuple[int, Any]:
        """One admin call to the API; (status, parsed JSON or text)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": "Bearer " + self.key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def put_check(self, name: str, **settings: Any) -> None:
        status, answer = self.api("PUT", "/api/v1/checks/" + urllib.parse.quote(name), settings or {"every": "1h", "grace": "1h"})
        if status not in (200, 201):
            raise AssertionError(f"PUT check {name}: {status} {answer}")

    def check(self, name: str) -> Dict[str, Any]:
        status, answer = self.api("GET", "/api/v1/checks/" + urllib.parse.quote(name))
        if status != 200:
            raise AssertionError(f"GET check {name}: {status} {answer}")
        return dict(answer)

    def runs(self, name: str) -> Any:
        status, answer = self.api("GET", f"/api/v1/checks/{urllib.parse.quote(name)}/runs?limit=20")
        if status != 200:
            raise AssertionError(f"GET runs of {name}: {status} {answer}")
        return answer["runs"]

    def run_log(self, name: str, rid: str) -> str:
        status, answer = self.api("GET", f"/api/v1/checks/{urllib.parse.quote(name)}/runs/{rid}/log")
        if status != 200:
            raise AssertionError(f"GET run log {name}/{rid}: {status} {answer}")
        return str(answer)

    def breaker(self, name: str) -> Dict[str, Any]:
        status, answer = self.api("GET", "/api/v1/breakers/" + urllib.parse.quote(name))
        if status != 200:
            raise AssertionError(f"GET breaker {name}: {status} {answer}")
        return dict(answer)

    def events(self, name: str) -> Any:
        status, answer = self.api("GET", f"/api/v1/checks/{urllib.parse.quote(name)}/events?limit=100")
        if status != 200:
            raise AssertionError(f"GET events of {name}: {status} {answer}")
        return answer["events"]
