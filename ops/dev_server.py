"""`make run`'s web server: Django's own `runserver` (auto-reload, its options, WhiteNoise's static
files), with one change: every accepted connection sends without Nagle's delay (TCP_NODELAY).

Why: runserver answers HTTP/1.1 keep-alive clients (browsers, `requests.Session`) on one connection, and
writes a response's headers and its body in separate send() calls. With Nagle's algorithm on, the body
waits until the client ACKs the headers, and the client delays that ACK by ~40 ms, so every answer on a
kept-alive connection took ~48 ms where a new connection took ~7 ms. gunicorn is not affected: its sync
workers close the connection after each response.

    python -m ops.dev_server [runserver's arguments, e.g. 127.0.0.1:8000]

The auto-reloader restarts this module (`python -m ops.dev_server ...`), so the change survives reloads.
"""
import os
import socket
import sys

from django.core.servers.basehttp import WSGIServer


class NoDelayWSGIServer(WSGIServer):
    """Django's development WSGIServer whose accepted sockets have TCP_NODELAY set."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def runserver_command():
    """The `runserver` that `manage.py runserver` would run (WhiteNoise's, wrapping Django's), serving
    with NoDelayWSGIServer."""
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["runserver"], "runserver")
    command.server_cls = NoDelayWSGIServer
    return command


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digitsite.settings")
    import django

    django.setup()
    runserver_command().run_from_argv(["manage.py", "runserver", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
