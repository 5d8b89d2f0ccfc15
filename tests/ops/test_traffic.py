"""The load test's arithmetic: what counts as a success, and the latency percentiles."""
import json

from ops.traffic import Result, page_body, summarise


def test_percentiles_rate_and_errors():
    results = [Result(i, 201, (i + 1) / 1000, {"id": str(i)}) for i in range(100)]
    results += [Result(100, 500, 0.5, None), Result(101, 0, 1.0, None, "ConnectionResetError")]
    summary = summarise(results, wall_s=2.0)

    assert (summary.sent, summary.successes, summary.errors) == (102, 100, 2)
    assert summary.requests_per_s == 51
    assert summary.p50_ms < summary.p95_ms < summary.p99_ms
    assert 50 <= summary.p50_ms <= 53 and summary.p99_ms >= 100
    assert summary.statuses == {0: 1, 201: 100, 500: 1}


def test_a_201_without_a_drawing_id_is_not_a_success():
    summary = summarise([Result(0, 201, 0.01, {"status": "error"})], wall_s=1)

    assert (summary.successes, summary.errors) == (0, 1)


def test_requests_are_sent_as_the_page_sends_them():
    body = json.loads(page_body(b"\x89PNG"))

    assert body == {"image": "data:image/png;base64,iVBORw==", "source": "page"}
