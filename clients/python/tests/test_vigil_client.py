"""vigil_client against a real ``vigil serve`` (one server for the module, one fresh check per test)."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, List, Tuple
from unittest import mock

from vigil_server import PACKAGE_ROOT, VigilServer, free_port

from vigil_client import DataTs, LeaseHeld, LeaseLost, Vigil, VigilError, current_lease

server = VigilServer()
_names = itertools.count(1)


def setUpModule() -> None:
    server.start()


def tearDownModule() -> None:
    server.stop()


def new_check(prefix: str, **settings: Any) -> str:
    name = f"{prefix}-{next(_names)}"
    server.put_check(name, **settings)
    return name


def client(**kwargs: Any) -> Vigil:
    return Vigil(url=server.url, key=server.key, **kwargs)


class PingTests(unittest.TestCase):
    def test_ping_kinds_become_runs_with_their_outcome(self) -> None:
        name = new_check("ping")
        v = client()
        rid = uuid.uuid4()
        self.assertTrue(v.ping(name, start=True, rid=rid))
        self.assertTrue(v.ping(name, rid=rid, body="all 12 files copied"))
        self.assertTrue(v.ping(name, fail=True, body="upstream said 503"))
        self.assertTrue(v.ping(name, exit_code=3))
        self.assertTrue(v.ping(name, log=True, body="halfway"))

        runs = server.runs(name)
        by_rid = {r["rid"]: r for r in runs}
        self.assertEqual("success", by_rid[str(rid)]["outcome"])
        self.assertIsNotNone(by_rid[str(rid)]["started_at"], "the start ping opened the run")
        self.assertEqual("all 12 files copied", server.run_log(name, str(rid)))
        self.assertEqual("fail", runs[0]["outcome"])
        self.assertEqual(3, runs[0]["exit_code"])
        failed = [r for r in runs if r["outcome"] == "fail" and r["exit_code"] is None]
        self.assertEqual(1, len(failed), runs)
        self.assertEqual("upstream said 503", server.run_log(name, failed[0]["rid"]))
        self.assertEqual("log", server.events(name)[0]["type"])

    def test_data_ts_accepts_epoch_aware_datetime_and_rfc3339(self) -> None:
        name = new_check("fresh", every="1h", max_data_age="5m")
        v = client()
        cases: List[Tuple[DataTs, str]] = [
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (1_700_000_000.25, "2023-11-14T22:13:20.25Z"),
            (datetime(2026, 1, 31, 14, 0, tzinfo=timezone(timedelta(hours=2))), "2026-01-31T12:00:00Z"),
            ("2026-01-31T12:30:00-01:00", "2026-01-31T13:30:00Z"),
            ("2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        ]
        for given, expected in cases:
            with self.subTest(given=given):
                self.assertTrue(v.ping(name, data_ts=given))
                self.assertEqual(expected, server.check(name)["check"]["data_ts"])

    def test_naive_datetime_is_refused_and_nothing_is_sent(self) -> None:
        name = new_check("naive")
        v = client()
        with self.assertRaisesRegex(ValueError, "naive"):
            v.ping(name, data_ts=datetime(2026, 1, 31, 12, 0))
        with self.assertRaisesRegex(ValueError, "offset"):
            v.ping(name, data_ts="2026-01-31T12:00:00")
        with self.assertRaises(ValueError):
            v.ping(name, data_ts=1_700_000_000_000)  # milliseconds by mistake
        with self.assertRaises(ValueError):
            v.ping(name, start=True, fail=True)
        self.assertIsNone(server.check(name)["check"]["last_signal_at"], "nothing reached Vigil")

    def test_ping_by_uuid_needs_no_key(self) -> None:
        name = new_check("by-uuid")
        check_uuid = server.check(name)["check"]["uuid"]
        self.assertTrue(Vigil(url=server.url, key=None).ping(check_uuid))
        self.assertIsNotNone(server.check(name)["check"]["last_signal_at"])

    def test_configuration_from_the_environment_with_a_key_file(self) -> None:
        name = new_check("env")
        env = {"VIGIL_URL": server.url, "VIGIL_API_KEY": "file:" + server.key_file}
        with mock.patch.dict(os.environ, env):
            v = Vigil()
        self.assertEqual(server.url, v.url)
        self.assertTrue(v.ping(name))
        self.assertNotIn(server.key, repr(v))

    def test_unknown_check_is_a_warning_not_an_exception(self) -> None:
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            self.assertFalse(client().ping("no-such-check"))
        self.assertIn("404", logs.output[0])
        self.assertNotIn(server.key, logs.output[0], "the key is part of the ping URL and must never be logged")


class LeaseTests(unittest.TestCase):
    def test_lease_is_renewed_in_the_background_past_its_ttl(self) -> None:
        name = new_check("renewed")
        v = client()
        with v.lease(name, ttl="2s", holder="renewal-test") as lease:
            self.assertTrue(lease.monitored)
            first_expiry = lease.expires_at
            assert first_expiry is not None
            time.sleep(5)  # two and a half TTLs: only renewals keep it
            self.assertFalse(lease.lost.is_set())
            shown = server.check(name)
            self.assertEqual("up", shown["check"]["status"])
            self.assertEqual([lease.fencing_token], [le["fencing_token"] for le in shown["leases"]])
            assert lease.expires_at is not None
            self.assertGreater(lease.expires_at, first_expiry + timedelta(seconds=2))
            self.assertIsNotNone(lease.rid)
        self.assertTrue(lease.released)
        run = server.runs(name)[0]
        self.assertEqual(("success", "renewal-test", lease.rid), (run["outcome"], run["holder"], run["rid"]))
        renewals = [e for e in server.events(name) if e["type"] == "lease_renewed"]
        self.assertGreaterEqual(len(renewals), 4, "renewed every third of the TTL")

    def test_exception_inside_releases_as_fail_with_its_text_and_reraises(self) -> None:
        name = new_check("failing")
        with self.assertRaisesRegex(RuntimeError, "disk full"):
            with client().lease(name, ttl="1m") as lease:
                raise RuntimeError("disk full on /data")
        run = server.runs(name)[0]
        self.assertEqual(lease.rid, run["rid"])
        self.assertEqual("fail", run["outcome"])
        self.assertIn("RuntimeError: disk full on /data", run["message"])
        log = server.run_log(name, run["rid"])
        self.assertIn("Traceback", log)
        self.assertIn("test_exception_inside_releases_as_fail", log)

    def test_held_lease_raises_LeaseHeld_with_the_holders_and_the_body_never_runs(self) -> None:
        name = new_check("held")
        v = client()
        ran = False
        with v.lease(name, ttl="1m", holder="first-copy") as first:
            with self.assertRaises(LeaseHeld) as raised:
                with v.lease(name, ttl="1m", holder="second-copy"):
                    ran = True
            self.assertFalse(ran)
            self.assertIsInstance(raised.exception, VigilError)
            self.assertEqual(["first-copy"], [h.holder for h in raised.exception.holders])
            self.assertEqual(first.fencing_token, raised.exception.holders[0].fencing_token)
            self.assertIn("first-copy", str(raised.exception))
        self.assertEqual("success", server.runs(name)[0]["outcome"], "the holder's lease was untouched")

    def test_job_decorator_runs_under_the_lease(self) -> None:
        name = new_check("job")
        v = client()

        @v.job(name, ttl="1m")
        def main(x: int) -> Any:
            lease = current_lease()
            assert lease is not None
            return x * 2, lease.fencing_token, lease.monitored

        doubled, fencing, monitored = main(21)
        self.assertEqual((42, True), (doubled, monitored))
        self.assertIsInstance(fencing, int)
        self.assertIsNone(current_lease())
        self.assertEqual("success", server.runs(name)[0]["outcome"])

        @v.job(name, ttl="1m")
        def broken() -> None:
            raise KeyError("price")

        with self.assertRaises(KeyError):
            broken()
        run = server.runs(name)[0]
        self.assertEqual("fail", run["outcome"])
        self.assertIn("KeyError", run["message"])

    def test_sys_exit_status_is_the_release_outcome(self) -> None:
        name = new_check("exit")
        with self.assertRaises(SystemExit):
            with client().lease(name, ttl="1m"):
                sys.exit(4)
        run = server.runs(name)[0]
        self.assertEqual(("fail", 4), (run["outcome"], run["exit_code"]))

    def test_deleting_and_recreating_the_check_sets_lost(self) -> None:
        name = new_check("recreated")
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            with client().lease(name, ttl="1500ms") as lease:
                self.assertEqual(204, server.api("DELETE", f"/api/v1/checks/{name}")[0])
                server.put_check(name)
                self.assertTrue(lease.lost.wait(5), "renewal saw the lease was gone")
                with self.assertRaises(LeaseLost):
                    lease.raise_if_lost()
        self.assertTrue(any("lost" in line for line in logs.output), logs.output)

    def test_lease_that_expired_while_the_process_was_stopped_is_lost_and_another_holder_has_it(self) -> None:
        name = new_check("stopped")
        script = textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {PACKAGE_ROOT!r})
            from vigil_client import Vigil
            with Vigil(url={server.url!r}, key={server.key!r}).lease({name!r}, ttl="2s", holder="paused") as lease:
                print("acquired", lease.fencing_token, flush=True)
                print("lost" if lease.lost.wait(20) else "held", flush=True)
            """
        )
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout is not None
            acquired = child.stdout.readline().split()
            self.assertEqual("acquired", acquired[0] if acquired else child.stderr and child.stderr.read())
            child.send_signal(signal.SIGSTOP)  # a process suspended past its TTL: nobody renews
            time.sleep(3)
            with client().lease(name, ttl="1m", holder="successor") as successor:
                self.assertTrue(successor.monitored, "the expired lease is free for the next holder")
                assert successor.fencing_token is not None
                self.assertGreater(successor.fencing_token, int(acquired[1]))
                child.send_signal(signal.SIGCONT)
                out, err = child.communicate(timeout=15)
                self.assertEqual("lost", out.strip(), err)
                self.assertIn("late report", err)
        finally:
            child.send_signal(signal.SIGCONT)
            if child.poll() is None:
                child.kill()
            child.wait(10)


class OutageTests(unittest.TestCase):
    def test_unreachable_server_logs_warnings_and_the_job_still_runs(self) -> None:
        v = Vigil(url=f"http://127.0.0.1:{free_port()}", key="some-key", timeout=2)
        ran: List[str] = []
        started = time.monotonic()
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            self.assertFalse(v.ping("anything", data_ts=time.time()))
            with v.lease("anything", ttl="1m") as lease:
                ran.append("with")
                self.assertFalse(lease.monitored)
                self.assertIsNone(lease.token)
                self.assertFalse(lease.lost.is_set())

            @v.job("anything", ttl="1m")
            def main() -> str:
                ran.append("job")
                return "done"

            self.assertEqual("done", main())
        self.assertEqual(["with", "job"], ran)
        self.assertTrue(all("cannot reach Vigil" in line for line in logs.output), logs.output)
        self.assertLess(time.monotonic() - started, 5)

    def test_a_hung_server_costs_at_most_the_timeout_per_call(self) -> None:
        name = new_check("hung")
        v = client(timeout=1)
        assert server.process is not None
        server.freeze()  # accepts connections (the kernel does), answers nothing
        try:
            with self.assertLogs("vigil_client", logging.WARNING) as logs:
                started = time.monotonic()
                self.assertFalse(v.ping(name))
                with v.lease(name, ttl="2s") as lease:
                    self.assertFalse(lease.monitored)
                elapsed = time.monotonic() - started
        finally:
            server.process.send_signal(signal.SIGCONT)
        self.assertLess(elapsed, 3.5, "two calls of at most one 1s timeout each (neither is retried)")
        self.assertGreaterEqual(elapsed, 1.9, "each call waited for its timeout")
        self.assertTrue(all("timed out" in line for line in logs.output), logs.output)
        deadline = time.monotonic() + 10
        while not server.healthy() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(server.healthy(), "the server carries on after SIGCONT")


if __name__ == "__main__":
    unittest.main()
