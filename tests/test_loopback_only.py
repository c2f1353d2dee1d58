"""The suite's own guard: nothing in the tests may reach beyond 127.0.0.1."""

import socket

import pytest


def test_a_connection_off_the_machine_is_refused_before_it_leaves():
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="loopback only"):
        sock.connect(("10.255.255.1", 9))


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
