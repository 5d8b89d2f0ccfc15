"""The server's side of a TCP connection, seen from a test: which process holds it, and its socket options.

Linux only, as the tests are: /proc/net/tcp maps the connection to a socket inode, /proc/<pid>/fd finds
the process holding that inode, and pidfd_getfd(2) lends the test a duplicate of the very socket, so
`getsockopt` reads what the server set (tests run as root, which may borrow another process's fd).
"""
import ctypes
import os
import socket
from pathlib import Path

PIDFD_GETFD = 438  # the same syscall number on every Linux architecture (added after their unification)
_libc = ctypes.CDLL(None, use_errno=True)


def _hex_address(host: str, port: int) -> str:
    return f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"


def connection_inode(local: tuple[str, int], remote: tuple[str, int]) -> int:
    """The inode of the socket whose local and remote (IPv4) addresses these are."""
    want = (_hex_address(*local), _hex_address(*remote))
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (fields[1], fields[2]) == want:
            return int(fields[9])
    raise LookupError(f"no TCP connection {local} -> {remote}")


def holder_of(inode: int) -> tuple[int, int]:
    """(pid, fd) of a process holding the socket with this inode."""
    target = f"socket:[{inode}]"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == target:
                    return int(proc.name), int(fd.name)
        except OSError:  # the process ended, or is not ours to read
            continue
    raise LookupError(f"no process holds {target}")


def server_side(client: socket.socket) -> tuple[int, socket.socket]:
    """For a connected client socket: the server process's pid and a duplicate of its end of the connection
    (close it when done; the server's own fd is untouched)."""
    local, remote = client.getsockname(), client.getpeername()
    pid, fd = holder_of(connection_inode(remote, local))
    pidfd = os.pidfd_open(pid)
    try:
        duplicate = _libc.syscall(PIDFD_GETFD, pidfd, fd, 0)
        if duplicate < 0:
            error = ctypes.get_errno()
            raise OSError(error, f"pidfd_getfd({pid}, {fd}): {os.strerror(error)}")
    finally:
        os.close(pidfd)
    return pid, socket.socket(fileno=duplicate)


def nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
