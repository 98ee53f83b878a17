"""kombu's Redis transport with one repair: an ack or reject that fails because Redis is away still frees the
message's place in the worker's prefetch window.

kombu notes an ack locally only after Redis has taken it. When Redis was restarted while a handler ran, the ack
that followed failed, the message kept its place, and with prefetch 1 the worker never asked Redis for another
message; having no command waiting on its consuming connection, it did not notice Redis going and coming back
either: alive, beating, consuming nothing, for good (found by the chaos test; ``test_redis_restart.py`` shows it).
Nothing is lost by letting go: the message stays recorded as unacknowledged in Redis and comes back after the
visibility timeout, like every message of a worker that lost its connection, and the inbox absorbs it.

Used through Celery's ``broker_transport`` setting (``shoplab/eventbus/celery_setup.py``).
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis


class QoS(kombu_redis.QoS):
    def ack(self, delivery_tag: str) -> None:
        try:
            super().ack(delivery_tag)
        finally:
            self._dirty.add(delivery_tag)  # kombu's own local ack; a second one changes nothing

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        try:
            super().reject(delivery_tag, requeue=requeue)
        finally:
            self._dirty.add(delivery_tag)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    Channel = Channel
