"""Breakers and gates against a real ``vigil serve`` whose config declares them (one breaker per test)."""

from __future__ import annotations

import logging
import signal
import threading
import time
import unittest
from typing import Any, List

from vigil_server import VigilServer, free_port

from vigil_client import (
    BreakerOpen,
    GateClosed,
    GateReason,
    GateStatus,
    Permit,
    Vigil,
    VigilError,
)

CONFIG = """
breakers:
  trips:
    failure_threshold: 2
    open_for: 30m
  probes:
    failure_threshold: 1
    open_for: 1s
    backoff: 3.0
    half_open_probes: 1
    probe_ttl: 1m
  filtered:
    failure_threshold: 1
    open_for: 30m
  forced:
    failure_threshold: 5
  manual:
    failure_threshold: 5
  gated-exchange:
    failure_threshold: 1
    open_for: 30m
gates:
  trading:
    start_closed: true
  exchange-ok:
    breakers: [gated-exchange]
"""

server = VigilServer(CONFIG)


def setUpModule() -> None:
    server.start()


def tearDownModule() -> None:
    server.stop()


def client(**kwargs: Any) -> Vigil:
    return Vigil(url=server.url, key=server.key, **kwargs)


class ExchangeDown(ConnectionError):
    pass


def admin(method: str, path: str, **body: Any) -> Any:
    status, answer = server.api(method, path, body or None)
    if status not in (200, 423):
        raise AssertionError(f"{method} {path}: {status} {answer}")
    return answer


class BreakerTests(unittest.TestCase):
    def test_successes_keep_it_closed_failures_open_it_and_then_it_refuses(self) -> None:
        breaker = client().breaker("trips")
        with breaker.call() as permit:
            self.assertEqual((True, "closed", None), (permit.allowed, permit.state, permit.probe_token))
        shown = server.breaker("trips")
        self.assertEqual(("closed", 1), (shown["state"], shown["counters"]["successes"]))

        for attempt in range(2):
            with self.assertRaises(ExchangeDown, msg="the body's exception goes on after the report"):
                with breaker.call():
                    raise ExchangeDown(f"HTTP 502 from the exchange ({attempt})")
        shown = server.breaker("trips")
        self.assertEqual("open", shown["state"], "two failures in a row trip a threshold of 2")
        self.assertEqual("ExchangeDown: HTTP 502 from the exchange (1)", shown["last_error"])

        ran = False
        with self.assertRaises(BreakerOpen) as refused:
            with breaker.call():
                ran = True
        self.assertFalse(ran, "a refused permit never runs the body")
        self.assertIsInstance(refused.exception, VigilError)
        self.assertEqual(("trips", "open", False), (refused.exception.breaker, refused.exception.state, refused.exception.unreachable))
        retry_after = refused.exception.retry_after_s
        assert retry_after is not None
        self.assertTrue(1500 < retry_after <= 1800, retry_after)
        self.assertIn("retry after", str(refused.exception))
        self.assertEqual(2, server.breaker("trips")["counters"]["failures"], "a refused call reports nothing")

    def test_a_half_open_probe_carries_its_token_and_its_report_decides_the_breaker(self) -> None:
        v = client()
        breaker = v.breaker("probes")
        with self.assertRaises(ExchangeDown):
            breaker.call(_raise, ExchangeDown("timeout"))
        with self.assertRaises(BreakerOpen) as refused:
            breaker.call(lambda: None)
        assert refused.exception.retry_after_s is not None
        self.assertLessEqual(refused.exception.retry_after_s, 1.0)

        _wait_for(lambda: server.breaker("probes")["state"] == "half_open", "the cooldown ends by itself")
        with breaker.call() as probe:
            self.assertEqual("half_open", probe.state)
            self.assertIsNotNone(probe.probe_token)
            self.assertIsNotNone(probe.probe_expires_at)
            self.assertEqual(v.holder, server.breaker("probes")["probes"][0]["holder"])
            with self.assertRaises(BreakerOpen) as second:
                with v.breaker("probes", holder="another-process").call():
                    self.fail("the only probe slot is taken")
            self.assertEqual("half_open", second.exception.state)
        self.assertEqual(("closed", 0), (server.breaker("probes")["state"], server.breaker("probes")["probes_out"]),
                         "the probe's success closed it")

        # A failed probe opens it again, for open_for x backoff.
        with self.assertRaises(ExchangeDown):
            breaker.call(_raise, ExchangeDown("still down"))
        _wait_for(lambda: server.breaker("probes")["state"] == "half_open", "the cooldown ends by itself")
        with self.assertRaises(ExchangeDown):
            with breaker.call() as probe:
                self.assertIsNotNone(probe.probe_token)
                raise ExchangeDown("probe failed")
        shown = server.breaker("probes")
        self.assertEqual(("open", 3.0), (shown["state"], shown["open_for_s"]))

    def test_call_with_a_function_returns_its_result_and_is_failure_picks_what_counts(self) -> None:
        breaker = client().breaker("filtered", is_failure=lambda e: isinstance(e, ConnectionError))
        self.assertEqual(42, breaker.call(_multiply, 6, y=7))
        with self.assertRaises(ValueError):
            breaker.call(_raise, ValueError("quantity must be positive"))
        shown = server.breaker("filtered")
        self.assertEqual(("closed", 2, 0), (shown["state"], shown["counters"]["successes"], shown["counters"]["failures"]),
                         "a ValueError is the caller's mistake, not the exchange's: reported as the exchange answering")
        with self.assertRaises(KeyboardInterrupt):
            breaker.call(_raise, KeyboardInterrupt())
        self.assertEqual(2, server.breaker("filtered")["counters"]["successes"], "an interrupt is not reported")
        with self.assertRaises(ConnectionResetError):
            breaker.call(_raise, ConnectionResetError("reset by peer"))
        self.assertEqual("open", server.breaker("filtered")["state"])

    def test_forced_open_refuses_without_a_retry_after(self) -> None:
        admin("POST", "/api/v1/breakers/forced/force", state="open", reason="exchange maintenance")
        try:
            with self.assertRaises(BreakerOpen) as refused:
                client().breaker("forced").call(lambda: None)
            self.assertEqual(("forced_open", None), (refused.exception.state, refused.exception.retry_after_s))
            self.assertIn("forces it auto or closed", str(refused.exception))
        finally:
            admin("POST", "/api/v1/breakers/forced/force", state="closed", reason="maintenance over")
        permit = client().breaker("forced").permit()
        self.assertEqual(Permit(allowed=True, state="closed"), permit)

    def test_permit_and_report_by_hand(self) -> None:
        breaker = client().breaker("manual")
        permit = breaker.permit()
        self.assertTrue(permit.allowed)
        self.assertTrue(breaker.report(True, permit.probe_token))
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            self.assertFalse(breaker.report(True, "no-such-probe-token"), "a probe token that is not out changes nothing (410)")
        self.assertIn("probe permit was gone", logs.output[0])
        self.assertTrue(breaker.report(False, error="x" * 5000))
        shown = server.breaker("manual")
        self.assertEqual(("closed", 1, 1), (shown["state"], shown["counters"]["successes"], shown["counters"]["failures"]))
        self.assertEqual(1000, len(shown["last_error"]), "the error text is cut to what Vigil keeps")

    def test_unknown_breaker_is_a_warning_and_fail_open_decides(self) -> None:
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            self.assertEqual("ran", client().breaker("no-such-breaker").call(lambda: "ran"))
            with self.assertRaises(BreakerOpen) as refused:
                client().breaker("no-such-breaker", fail_open=False).call(lambda: "ran")
        self.assertTrue(refused.exception.unreachable)
        self.assertIn("404", logs.output[0])
        self.assertNotIn(server.key, "".join(logs.output))


class GateTests(unittest.TestCase):
    def test_start_closed_kill_switch_raises_GateClosed_with_reasons_and_wait_returns_once_released(self) -> None:
        gate = client().gate("trading")
        status = gate.status()
        self.assertFalse(status.open)
        assert status.kill is not None
        self.assertEqual((True, "vigil"), (status.kill.engaged, status.kill.by), "start_closed engages it at every start")
        with self.assertRaises(GateClosed) as closed:
            gate.require()
        self.assertIsInstance(closed.exception, VigilError)
        self.assertEqual("trading", closed.exception.gate)
        self.assertEqual(["kill"], [r.kind for r in closed.exception.reasons])
        self.assertIn("trading", str(closed.exception))

        started = time.monotonic()
        with self.assertRaises(GateClosed, msg="a wait that runs out raises, so code after wait() runs only when open"):
            gate.wait(timeout=0.5, poll_interval=0.1)
        self.assertLess(time.monotonic() - started, 3)

        releaser = threading.Timer(1.0, admin, ("POST", "/api/v1/gates/trading/release"), {"reason": "pre-open checklist done"})
        releaser.start()
        try:
            started = time.monotonic()
            opened = gate.wait(timeout=20, poll_interval=0.2)
            waited = time.monotonic() - started
        finally:
            releaser.join()
        self.assertTrue(opened.open)
        self.assertEqual((), opened.reasons)
        self.assertGreaterEqual(waited, 0.9, "it waited for the release")
        self.assertEqual(opened, gate.require())

        admin("POST", "/api/v1/gates/trading/kill", reason="fills look wrong, halting")
        with self.assertRaises(GateClosed) as killed:
            gate.require()
        self.assertIn("fills look wrong, halting", str(killed.exception))
        status = killed.exception.status
        assert isinstance(status, GateStatus) and status.kill is not None
        self.assertEqual("fills look wrong, halting", status.kill.reason)
        self.assertNotEqual("vigil", status.kill.by, "audited with the key's name")

    def test_an_open_breaker_closes_the_gate_that_covers_it(self) -> None:
        v = client()
        self.assertTrue(v.gate("exchange-ok").require().open)
        with self.assertRaises(ExchangeDown):
            v.breaker("gated-exchange").call(_raise, ExchangeDown("HTTP 503"))
        with self.assertRaises(GateClosed) as closed:
            v.gate("exchange-ok").require()
        self.assertEqual([("breaker", "gated-exchange")], [(r.kind, r.name) for r in closed.exception.reasons])

    def test_unknown_gate_fails_closed_with_the_answer_as_its_reason(self) -> None:
        with self.assertLogs("vigil_client", logging.WARNING):
            with self.assertRaises(GateClosed) as closed:
                client().gate("no-such-gate").require()
            self.assertTrue(client().gate("no-such-gate", fail_open=True).require().unreachable)
        self.assertEqual("vigil", closed.exception.reasons[0].kind)
        self.assertIn("404", closed.exception.reasons[0].detail)


class OutageTests(unittest.TestCase):
    def test_unreachable_vigil_breakers_fail_open_gates_fail_closed_unless_told_otherwise(self) -> None:
        v = Vigil(url=f"http://127.0.0.1:{free_port()}", key="some-key", timeout=2)
        ran: List[str] = []
        started = time.monotonic()
        with self.assertLogs("vigil_client", logging.WARNING) as logs:
            with v.breaker("trips").call() as permit:
                ran.append("breaker")
            self.assertEqual(Permit(allowed=True, state="unknown", unreachable=True), permit)
            with self.assertRaises(BreakerOpen) as refused:
                v.breaker("trips", fail_open=False).call(ran.append, "never")
            with self.assertRaises(GateClosed) as closed:
                v.gate("trading").require()
            opened = v.gate("trading", fail_open=True).require()
        self.assertEqual(["breaker"], ran)
        self.assertTrue(refused.exception.unreachable)
        self.assertIn("could not be asked", str(refused.exception))
        self.assertEqual([GateReason], [type(r) for r in closed.exception.reasons])
        self.assertEqual("vigil", closed.exception.reasons[0].kind)
        self.assertIn("cannot reach Vigil", closed.exception.reasons[0].detail)
        self.assertTrue(opened.open and opened.unreachable)
        self.assertEqual(4, len(logs.output), logs.output)
        self.assertTrue(all("cannot reach Vigil" in line for line in logs.output), logs.output)
        self.assertLess(time.monotonic() - started, 5)

    def test_a_hung_vigil_costs_each_call_at_most_its_timeout(self) -> None:
        v = client(timeout=5)
        assert server.process is not None
        server.freeze()
        try:
            with self.assertLogs("vigil_client", logging.WARNING) as logs:
                started = time.monotonic()
                self.assertEqual("ran", v.breaker("trips", timeout=1).call(lambda: "ran"))
                with self.assertRaises(GateClosed):
                    v.gate("exchange-ok", timeout=1).require()
                elapsed = time.monotonic() - started
        finally:
            server.process.send_signal(signal.SIGCONT)
        self.assertGreaterEqual(elapsed, 1.9, "each call waited for its own 1s timeout")
        self.assertLess(elapsed, 3.5, "and no longer: the permit is not retried, nor is the report sent")
        self.assertTrue(all("timed out" in line for line in logs.output), logs.output)
        _wait_for(server.healthy, "the server carries on after SIGCONT")


def _multiply(x: int, *, y: int) -> int:
    return x * y


def _raise(error: BaseException) -> None:
    raise error


def _wait_for(condition: Any, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {what}")
        time.sleep(0.1)


if __name__ == "__main__":
    unittest.main()
