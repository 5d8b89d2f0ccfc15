"""The bench's floor app (ops/bench_floor.py) is a real prediction server: under serve-prod's gunicorn
settings it reads MNIST test digits drawn as the page sends them, and refuses what is not an image."""
import http.client
import json

from ml.canvas import canvas_png
from ops import traffic
from ops.server import HOST, FloorServer

DIGITS = 20


def test_the_floor_app_reads_real_digits_and_refuses_a_non_image(tmp_path, mnist_test):
    images, labels = mnist_test
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(DIGITS)]

    with FloorServer({"GUNICORN_ACCESS_LOG": ""}, log_path=tmp_path / "floor.log", workers=2) as server:
        results, _ = traffic.send_all(bodies, host=HOST, port=server.port, path="/", concurrency=2,
                                      time_limit_s=120)
        refused = _post(server.port, json.dumps({"image": "data:image/png;base64,aGVsbG8="}).encode())

    assert sorted(r.status for r in results) == [200] * DIGITS
    right = sum(r.body["prediction"] == labels[r.index] for r in results)
    assert right >= DIGITS - 1, f"{right} of {DIGITS} read right"
    assert all(0.0 <= r.body["confidence"] <= 1.0 + 1e-6 for r in results)  # a float32 softmax
    assert refused[0] == 400 and "error" in refused[1]


def _post(port: int, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()
