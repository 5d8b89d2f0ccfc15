"""Many POSTs at once over loopback, with the standard library only (threads and http.client).

One connection per request: gunicorn's sync workers close the connection after each response, as
they would behind a proxy. Latency is measured at the client, from connect to the last body byte.
"""
import base64
import http.client
import json
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass


def page_body(png: bytes) -> bytes:
    """A prediction request exactly as the drawing page sends it."""
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    return json.dumps({"image": data_url, "source": "page"}).encode()


@dataclass(frozen=True)
class Result:
    index: int  # which body was sent
    status: int  # HTTP status, or 0 when no response came (refused, reset, timed out)
    latency_s: float
    body: dict | None  # the JSON answer, when it was JSON
    error: str = ""  # what went wrong at the transport level


def post_json(host: str, port: int, path: str, body: bytes, *, index: int, timeout: float = 30) -> Result:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        status = response.status
    except OSError as err:
        return Result(index, 0, time.perf_counter() - started, None, f"{type(err).__name__}: {err}")
    finally:
        conn.close()
    latency = time.perf_counter() - started
    try:
        return Result(index, status, latency, json.loads(raw))
    except ValueError:
        return Result(index, status, latency, None, "the answer was not JSON")


def send_all(
    bodies: Sequence[bytes], *, host: str, port: int, path: str, concurrency: int, time_limit_s: float
) -> tuple[list[Result], float]:
    """Send every body once from `concurrency` threads; stop starting new ones after `time_limit_s`.

    Returns the results (in completion order) and the wall time the sending took.
    """
    results: list[Result] = []
    lock = threading.Lock()
    next_index = iter(range(len(bodies)))
    started = time.perf_counter()
    deadline = started + time_limit_s

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            result = post_json(host, port, path, bodies[index], index=index)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


@dataclass(frozen=True)
class Summary:
    sent: int
    successes: int
    errors: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[int, int]


def summarise(results: Sequence[Result], wall_s: float, *, success_status: int = 201) -> Summary:
    latencies = sorted(r.latency_s * 1000 for r in results) or [0.0]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    statuses: dict[int, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    successes = sum(1 for r in results if r.status == success_status and r.body and "id" in r.body)
    return Summary(
        sent=len(results),
        successes=successes,
        errors=len(results) - successes,
        requests_per_s=len(results) / wall_s if wall_s else 0.0,
        p50_ms=cuts[49],
        p95_ms=cuts[94],
        p99_ms=cuts[98],
        statuses=dict(sorted(statuses.items())),
    )
