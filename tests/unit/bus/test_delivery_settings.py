"""Retries back off but stay below the visibility timeout, so a retry waiting in a worker is never redelivered."""

from __future__ import annotations

from shoplab.plumbing.worker import retry_delay
from shoplab.settings import WorkerSettings


def test_retry_delay_doubles_from_one_second_up_to_its_cap():
    assert [retry_delay(n, cap=7) for n in range(6)] == [1, 2, 4, 7, 7, 7]
    assert retry_delay(30, cap=60) == 60


def test_every_retry_of_the_default_settings_waits_less_than_the_visibility_timeout():
    settings = WorkerSettings()
    cap = settings.visibility_timeout // 2  # what the worker passes
    delays = [retry_delay(n, cap) for n in range(settings.max_retries)]
    assert all(0 < delay < settings.visibility_timeout for delay in delays)
    assert delays == sorted(delays)


def test_a_killed_worker_s_message_comes_back_within_30_seconds():
    settings = WorkerSettings()
    assert settings.visibility_timeout + settings.restore_interval <= 30
