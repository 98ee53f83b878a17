"""Sign-in attempts are limited per username and per client address, counted in Redis.

- 5 failed attempts for one username within a minute, then 429 with ``Retry-After`` for that username (whatever the
  password, even the right one) until the minute is over;
- 30 failed attempts from one address within a minute, then 429 for that address: a classroom behind one NAT address
  shares this budget, so it is higher than the per-username one.

A success clears the username's count. Counts are fixed windows that start at the first failure. When Redis cannot
be reached the check lets the attempt through (and logs it): sign-in keeps working; the password hash's cost still
bounds guessing.
"""

from __future__ import annotations

import logging

import redis

from shoplab.errors import ShopLabError

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60
PER_USERNAME = 5
PER_ADDRESS = 30


class TooManyAttempts(ShopLabError):
    status = 429
    code = "too_many_attempts"


def _keys(username: str, address: str) -> list[tuple[str, int, str]]:
    return [
        (f"gw:login-failures:user:{username.casefold()}", PER_USERNAME, "username"),
        (f"gw:login-failures:addr:{address}", PER_ADDRESS, "address"),
    ]


def check(client: redis.Redis, username: str, address: str) -> None:
    """Refuse the attempt (429) when the username or the address used up its failures."""
    try:
        pipe = client.pipeline(transaction=False)
        for key, _, _ in _keys(username, address):
            pipe.get(key)
            pipe.ttl(key)
        answers = pipe.execute()
    except redis.RedisError as exc:
        log.warning("login limits not checked (Redis: %s)", exc)
        return
    for index, (_, limit, what) in enumerate(_keys(username, address)):
        count, ttl = answers[2 * index], answers[2 * index + 1]
        if count is not None and int(count) >= limit:
            retry_after = max(int(ttl), 1) if ttl and ttl > 0 else WINDOW_SECONDS
            raise TooManyAttempts(
                f"too many failed sign-ins for this {what}; try again in {retry_after} s",
                {"username" if what == "username" else "address": [f"{limit} failures a minute at most"]},
                retry_after=retry_after,
            )


def record_failure(client: redis.Redis, username: str, address: str) -> None:
    try:
        pipe = client.pipeline(transaction=False)
        for key, _, _ in _keys(username, address):
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS, nx=True)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("login failure not counted (Redis: %s)", exc)


def record_success(client: redis.Redis, username: str) -> None:
    try:
        client.delete(_keys(username, "")[0][0])
    except redis.RedisError:
        pass
