"""The thread that handles what request threads hand it in batches: each caller gets its own outcome."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from shoplab.plumbing.batch_thread import BatchThread


class Refused(Exception):
    pass


def double_or_refuse(items: list[int]) -> list[object]:
    time.sleep(0.01)  # long enough for callers to pile up behind a round
    return [Refused(item) if item < 0 else item * 2 for item in items]


def test_each_caller_gets_its_own_outcome_and_waiting_callers_share_a_round():
    rounds: list[int] = []

    def handle(items: list[int]) -> list[object]:
        rounds.append(len(items))
        return double_or_refuse(items)

    batcher: BatchThread[int] = BatchThread("test-batch", handle)
    results: dict[int, object] = {}
    start = threading.Barrier(20)

    def caller(n: int) -> None:
        start.wait()
        try:
            results[n] = batcher.call(-n if n % 5 == 0 else n)
        except Refused as refused:
            results[n] = refused

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for n in range(1, 21):
        if n % 5 == 0:
            assert isinstance(results[n], Refused) and results[n].args == (-n,)
        else:
            assert results[n] == 2 * n
    assert sum(rounds) == 20 and max(rounds) > 1  # callers that waited were handled together


def test_a_failed_round_fails_each_of_its_callers_and_the_thread_lives_on():
    calls = []

    def handle(items: list[str]) -> list[str]:
        calls.append(items)
        if "boom" in items:
            raise RuntimeError("the database went away")
        return [item.upper() for item in items]

    batcher: BatchThread[str] = BatchThread("test-fail", handle)
    with pytest.raises(RuntimeError, match="went away"):
        batcher.call("boom")
    assert batcher.call("fine") == "FINE"


def test_submitted_items_are_handled_in_order_without_waiting():
    seen: list[int] = []
    batcher: BatchThread[int] = BatchThread("test-submit", lambda items: [seen.extend(items)] and [None] * len(items))
    for n in range(50):
        batcher.submit(n)
    batcher.call(50)  # reached only after every item before it
    assert seen == list(range(51))


def test_a_miscounted_round_is_an_error_not_a_silent_mismatch():
    batcher: BatchThread[int] = BatchThread("test-miscount", lambda items: [])
    with pytest.raises(RuntimeError, match="0 outcomes for 1 items"):
        batcher.call(1)


def _call_in_child(batcher: BatchThread[int], answers) -> None:
    answers.put(batcher.call(21, timeout=10))


def test_a_forked_process_starts_its_own_thread():
    """gunicorn forks its workers after the app is built: the parent's thread does not exist in a child."""
    batcher: BatchThread[int] = BatchThread("test-fork", double_or_refuse)
    assert batcher.call(1) == 2  # the parent's thread is running
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_call_in_child, args=(batcher, answers))
    child.start()
    assert answers.get(timeout=15) == 42
    child.join(15)
    assert child.exitcode == 0


def test_a_round_waits_the_linger_for_more_callers_and_stops_waiting_once_it_has_enough():
    """The order writer's rounds: the callers of a process are only so many, and once that many have joined a round
    no more can come, so the round must not sit out the rest of its linger."""
    rounds: list[list[int]] = []

    def handle(items: list[int]) -> list[int]:
        rounds.append(items)
        return items

    # a linger of a minute: were it sat out, every call below would time out
    batcher: BatchThread[int] = BatchThread("test-enough", handle, linger=60, enough=3)
    start = threading.Barrier(3)
    answers: dict[int, int] = {}

    def caller(n: int) -> None:
        start.wait()
        answers[n] = batcher.call(n, timeout=20)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == {0: 0, 1: 1, 2: 2}
    assert [sorted(items) for items in rounds] == [[0, 1, 2]]  # the first caller's round waited for the other two
