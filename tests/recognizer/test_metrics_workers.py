"""/metrics as the production server answers it: gunicorn with 2 workers, prometheus-client's multiprocess
mode in the directory `make serve-prod` makes (<VAR_DIR>/prometheus). Whichever worker answers a
scrape, it reports every worker's predictions, as many as the database holds.
"""
import http.client

from prometheus_client import multiprocess
from prometheus_client.parser import text_string_to_metric_families

from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database, stored_drawing_ids
from ops.server import HOST, ProductionServer, isolated_env

REQUESTS = 24
MAX_ROUNDS = 5
TOKEN = "workers-" + "s3cr3t" * 6
PREDICTIONS = "digits_predictions_total"


def scrape(port: int, token: str | None = TOKEN) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def predictions_in(text: str) -> float:
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples if sample.name == PREDICTIONS)


def test_every_scrape_counts_every_workers_predictions(tmp_path, mnist_test):
    images, _ = mnist_test
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(REQUESTS)]
    var_dir = tmp_path / "var"
    counters = var_dir / "prometheus"

    with fresh_database("sqlite", directory=tmp_path, name="metrics") as url:
        env = {**isolated_env(database_url=url, var_dir=var_dir), "METRICS_TOKEN": TOKEN}
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            results = []
            # On a busy machine one worker may take a whole round; send rounds until both have answered.
            for _ in range(MAX_ROUNDS):
                results += traffic.send_all(
                    bodies, host=HOST, port=server.port, path="/api/predictions/", concurrency=4, time_limit_s=120
                )[0]
                if len(workers_that_counted(counters)) == 2:
                    break
            scrapes = [scrape(server.port) for _ in range(6)]
            without_token = scrape(server.port, token=None)
        stored = stored_drawing_ids(env)

    sent = len(results)
    assert [r.status for r in results] == [201] * sent
    assert len(stored) == sent
    assert len(workers_that_counted(counters)) == 2, "one worker answered every request of every round"
    assert [(status, predictions_in(text)) for status, text in scrapes] == [(200, sent)] * len(scrapes)
    assert without_token[0] == 401
    assert sum(predictions_in_file(path) for path in counters.glob("counter_*.db")) == sent


def workers_that_counted(counters) -> list:
    return [path for path in counters.glob("counter_*.db") if predictions_in_file(path)]


def predictions_in_file(path) -> float:
    return sum(sample.value for metric in multiprocess.MultiProcessCollector.merge([str(path)])
               for sample in metric.samples if sample.name == PREDICTIONS)
