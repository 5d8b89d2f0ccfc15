"""The anonymous rate as the production server enforces it: gunicorn workers keep their counters in
a cache they share (files under VAR_DIR/cache), so a second worker does not grant a second budget.

Requests go one at a time: DRF's throttle reads then writes its history, so two simultaneous
requests can both pass the last free slot; that race is DRF's, and not what is tested here.
"""
from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database
from ops.server import HOST, ProductionServer, isolated_env

RATE = 3
REQUESTS = 10


def test_the_production_server_enforces_the_anonymous_prediction_rate(tmp_path, mnist_test):
    images, _ = mnist_test
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(REQUESTS)]

    with fresh_database("sqlite", directory=tmp_path, name="throttle") as url:
        env = {**isolated_env(database_url=url, var_dir=tmp_path / "var"), "DIGITS_ANON_PREDICT_RATE": f"{RATE}/min"}
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            results, _ = traffic.send_all(
                bodies, host=HOST, port=server.port, path="/api/predictions/", concurrency=1, time_limit_s=60
            )

    assert [r.status for r in results] == [201] * RATE + [429] * (REQUESTS - RATE)
    assert (tmp_path / "var" / "cache").is_dir()
