"""The suite's ports: two test processes are never handed the same one, none comes from the kernel's ephemeral range
(where outgoing connections take theirs), and a port something else holds is skipped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

from tests import ports

# each process prints its ports and lives on until told to end (its stdin closes), as test processes run side by side
HAND_OUT = (
    "import json, sys; from tests.ports import free_port; "
    "print(json.dumps([free_port() for _ in range(30)]), flush=True); sys.stdin.read()"
)


def test_two_processes_never_share_a_port():
    runs = [
        subprocess.Popen([sys.executable, "-c", HAND_OUT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    try:
        handed = [json.loads(run.stdout.readline()) for run in runs]
    finally:
        for run in runs:
            run.communicate(timeout=60)
    every = [port for run in handed for port in run]
    assert len(set(every)) == len(every) == 90
    assert all(ports.LOWEST <= port < ports._ephemeral_start() for port in every)


def test_a_port_in_use_is_skipped():
    first = ports.free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first + 1))  # the next one in this process's block
        holder.listen()
        assert ports.free_port() == first + 2
