"""`make run`'s web server (ops.dev_server, started by ops.run) answers keep-alive clients without Nagle's
delay: the sockets it accepts have TCP_NODELAY, before and after an auto-reload. Without it, a client
that keeps its connection open waited for its own delayed ACK (~40 ms) on every answer."""
import http.client
import os
import signal
import socket
import subprocess
import time

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from ml.canvas import canvas_png
from ops import traffic
from ops.dev_server import NoDelayWSGIServer
from ops.run import web_command
from ops.server import HOST, free_port, isolated_env
from tests.ops.sockets import nodelay, server_side
from tests.recognizer.jobs_processes import REPO, manage, wait_for

WATCHED = REPO / "ops" / "dev_server.py"  # a module the auto-reloader watches in the server process


def test_accepted_connections_have_nagle_off():
    server = NoDelayWSGIServer((HOST, 0), WSGIRequestHandler)
    client = socket.create_connection(server.server_address, timeout=5)
    try:
        accepted, _ = server.get_request()
        with accepted:
            assert nodelay(accepted)
    finally:
        client.close()
        server.server_close()


@pytest.fixture
def dev_server(tmp_path):
    """The web half of `make run`, on a fresh SQLite database with the shipped model, auto-reload on."""
    env = {**isolated_env(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", var_dir=tmp_path / "var"),
           "DEBUG": "true"}
    manage(env, "migrate", "--noinput")
    manage(env, "register_shipped_model")
    port = free_port()
    with open(tmp_path / "server.log", "ab") as log:
        process = subprocess.Popen(web_command([f"{HOST}:{port}"]), cwd=REPO, env=env, stdout=log, stderr=log,
                                   start_new_session=True)
    try:
        wait_for(lambda: _answers(port), timeout=60, what="the development server", every=0.25)
        yield port
    finally:
        # SIGTERM, which no shell ignores for a background job: the reloader and its serving child, started here
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_keep_alive_answers_come_from_a_socket_with_nagle_off_also_after_a_reload(dev_server, mnist_test):
    body = traffic.page_body(canvas_png(mnist_test[0][0]))

    first_pid = _predict_twice_on_one_connection(dev_server, body)
    wait_for(lambda: _saved_and_reloaded(dev_server, first_pid), timeout=90, what="the auto-reload", every=2)
    wait_for(lambda: _settled_pid(dev_server), timeout=60, what="the reloaded server to settle")
    second_pid = _predict_twice_on_one_connection(dev_server, body)

    assert second_pid != first_pid


def _predict_twice_on_one_connection(port: int, body: bytes) -> int:
    """Two predictions on one kept-alive connection; returns the pid of the process that served them,
    after checking its end of the connection has TCP_NODELAY."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        first = _post(conn, body)
        kept = conn.sock
        second = _post(conn, body)
        assert (first.status, second.status) == (201, 201)
        assert first.getheader("Connection", "").lower() != "close"
        assert conn.sock is kept  # the second answer came on the same connection
        pid, server_end = server_side(conn.sock)
        with server_end:
            assert nodelay(server_end)
        return pid
    finally:
        conn.close()


def _post(conn: http.client.HTTPConnection, body: bytes) -> http.client.HTTPResponse:
    conn.request("POST", "/api/predictions/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response


def _saved_and_reloaded(port: int, old_pid: int) -> bool:
    """Touch the watched module, as saving it would, and say whether a new server process answers.

    Touched again on every try: the reloader takes a file's first modification time as its baseline, so
    a touch that lands before its first scan (slow on a loaded machine) is not a change."""
    os.utime(WATCHED)
    return _serving_pid(port) not in (None, old_pid)


def _settled_pid(port: int, quiet: float = 3.0) -> int | None:
    """The serving process's pid once the same one answers twice `quiet` seconds apart (a touch made
    while the new process started may reload it once more)."""
    before = _serving_pid(port)
    time.sleep(quiet)
    return before if before is not None and _serving_pid(port) == before else None


def _serving_pid(port: int) -> int | None:
    try:
        with socket.create_connection((HOST, port), timeout=5) as client:
            client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.recv(1)
            pid, server_end = server_side(client)
            server_end.close()
            return pid
    except (OSError, LookupError):
        return None


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()

