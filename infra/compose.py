"""Writes ``infra/docker-compose.yml`` from the topology table: ``python -m infra.compose > infra/docker-compose.yml``.

Every ShopLab service of ``shoplab/topology.py`` gets its web process (gunicorn, as ``make run`` starts it), its
Celery worker on its own queue, its database on the one PostgreSQL server (``SHOPLAB_DATABASES``, read by the init
script in ``infra/postgres/``) and its URLs in the shared environment; the gateway, the one public entry point, is
the only one published. Nothing here lists the services: a new topology entry is a new part of the file.
``tests/integration/test_compose.py`` holds the committed file to what this writes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from shoplab.topology import REDIS_DEFAULT_PORT, SERVICES, Service

PUBLIC = "gateway"  # the one service published on the host

HEADER = """\
# ShopLab in containers: `docker compose -f infra/docker-compose.yml up --build` (see docs/compose.md).
# Generated from shoplab/topology.py by `python -m infra.compose > infra/docker-compose.yml`: edit the generator
# (infra/compose.py), not this file.
#
# The same processes as `make run`, with the same commands and flags (tests/integration/test_compose.py holds them
# to shoplab/supervisor.py and shoplab/topology.py), but on PostgreSQL (one database per service) instead of SQLite.
# Only the gateway is published; the services reach each other and the stores by compose service name.
# Settings come from the environment or infra/.env; every default below is for a laptop, not for a server.

name: shoplab
"""

DATABASE_URL = (
    "postgresql+psycopg://${{SHOPLAB_DB_USER:-shoplab}}:${{SHOPLAB_DB_PASSWORD:-shoplab-dev-password}}"
    "@postgres:5432/{database}"
)

SHARED_SETTINGS = """\
  # Set both in infra/.env for anything but a laptop: the token guards the internal APIs, the key signs sessions.
  SHOPLAB_INTERNAL_TOKEN: ${SHOPLAB_INTERNAL_TOKEN:-shoplab-dev-internal-token}
  SHOPLAB_SECRET_KEY: ${SHOPLAB_SECRET_KEY:-shoplab-dev-secret-key}
  SHOPLAB_WEB_THREADS: ${SHOPLAB_WEB_THREADS:-4}  # gunicorn --threads below, and the orders writer sizes its rounds by it
  SHOPLAB_GATEWAY_THREADS: ${SHOPLAB_GATEWAY_THREADS:-80}  # the gateway's --threads: each open live stream holds one
"""  # noqa: E501 - the file's lines, as they are

ANCHORS = """\
# Every Python process: one image, built once from infra/Dockerfile.
x-python: &python
  image: shoplab:local
  build:
    context: ..
    dockerfile: infra/Dockerfile
  environment: *shoplab-env
  restart: unless-stopped
  depends_on: &stores
    postgres:
      condition: service_healthy
    redis:
      condition: service_healthy

# /healthz answers 200 only when the service's database, Redis and worker are up (the gateway's: every service's).
# Migrations run as each process starts, hence the start period.
x-web-healthcheck: &web-healthcheck
  interval: 5s
  timeout: 4s
  retries: 12
  start_period: 60s

x-worker-healthcheck: &worker-healthcheck
  interval: 10s
  timeout: 5s
  retries: 6
  start_period: 30s
"""

POSTGRES = """\
  postgres:
    image: postgres:16
    restart: unless-stopped
    environment:
      POSTGRES_USER: postgres
      POSTGRES_PASSWORD: ${{POSTGRES_PASSWORD:-postgres-dev-password}}
      # Read by the init script: the role that owns every service's database, and those databases.
      SHOPLAB_DB_USER: ${{SHOPLAB_DB_USER:-shoplab}}
      SHOPLAB_DB_PASSWORD: ${{SHOPLAB_DB_PASSWORD:-shoplab-dev-password}}
      SHOPLAB_DATABASES: {databases}
    volumes:
      - ./postgres:/docker-entrypoint-initdb.d:ro
      - postgres-data:/var/lib/postgresql/data
    healthcheck:
      # Over TCP: while the init scripts run, the server listens on its socket only, so this stays red until then.
      test: [CMD, pg_isready, --host, 127.0.0.1, --username, postgres, --dbname, {last_database}]
      interval: 3s
      timeout: 3s
      retries: 20
      start_period: 30s
"""

REDIS = """\
  redis:
    image: redis:7
    restart: unless-stopped
    # As the embedded Redis of `make run`: every write fsynced to the append-only file before it is acknowledged,
    # so a relayed event survives a crash, and a full Redis refuses writes rather than evicting queued events.
    command:
      [redis-server, --port, "{port}", --dir, /data, --appendonly, "yes", --appendfsync, always, --save, "",
       --maxmemory-policy, noeviction, --loglevel, warning]
    volumes:
      - redis-data:/data
    healthcheck:
      test: [CMD-SHELL, "redis-cli -p {port} ping | grep -q PONG"]
      interval: 3s
      timeout: 3s
      retries: 20
"""

WEB = """\
  {name}:
    <<: *python
    command:
      [gunicorn, "{app}", --bind, "0.0.0.0:{port}", --workers, "${{SHOPLAB_WEB_WORKERS:-2}}",
       --worker-class, gthread, --threads, "${{{threads}}}", --keep-alive, "${{SHOPLAB_WEB_KEEPALIVE_SECONDS:-75}}", --access-logfile, "-", --error-logfile, "-", --log-level, warning,
       --no-control-socket{preload}]
{published}    healthcheck:
      <<: *web-healthcheck
      test: [CMD, python, -c, "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/healthz', timeout=3)"]
"""  # noqa: E501 - the file's lines, as they are

PUBLISHED = """\
    ports:
      - "${{SHOPLAB_{upper}_PUBLISH:-{port}}}:{port}"
    depends_on:
      <<: *stores
      # Started, not healthy: the gateway reports a service that is down rather than waiting for it.
{started}"""

WORKER = """\
  {name}-worker:
    <<: *python
    command:
      [celery, -A, {worker}, worker, -Q, {queue}, -n, "{name}@%h",
       --concurrency, "${{SHOPLAB_WORKER_CONCURRENCY:-1}}", --without-gossip, --without-mingle, --without-heartbeat,
       --loglevel, WARNING]
    healthcheck:
      <<: *worker-healthcheck
      test: [CMD, python, -c, "import sys, redis; from shoplab.settings import redis_url; from shoplab.eventbus.heartbeat import alive_key; sys.exit(not redis.Redis.from_url(redis_url()).exists(alive_key('{queue}')))"]
"""  # noqa: E501 - one line of YAML, as compose runs it

WORKERS_NOTE = """\
  # --- one Celery worker per service, on its own queue; `-n <svc>@%h` keeps names unique when scaled ---
  # Healthy while its heartbeat key in Redis is fresh (the same key the service's /healthz reads).
"""

TAIL = """\
  # --- the one scheduler: it only sends timer messages to the services' queues, so it needs Redis alone ---
  beat:
    <<: *python
    command: [celery, -A, shoplab.beat, beat, -s, /var/lib/shoplab/celerybeat-schedule, --loglevel, WARNING]
    depends_on:
      redis:
        condition: service_healthy

  # --- the buyers: the scenario runs instructors start, played through the gateway's buyer API (as `make run`) ---
  simulator:
    <<: *python
    command: [python, -m, simulator.runner]
    depends_on:
      gateway:
        condition: service_healthy

  # --- once, when everything is green: the demo class and its logins, as `make run` seeds them (idempotent) ---
  seed:
    <<: *python
    restart: "no"
    command: [python, -m, gateway.seed]
    depends_on:
      gateway:
        condition: service_healthy

volumes:
  postgres-data:
  redis-data:
"""


def render(services: Iterable[Service] = SERVICES.values()) -> str:
    """The compose file for these services (the topology's, unless a test gives others)."""
    services = list(services)
    return "\n".join(
        [
            HEADER,
            _environment(services),
            ANCHORS,
            "services:",
            _stores(services),
            "  # --- web processes: gunicorn, as in `make run`, bound to all interfaces of the container ---\n",
            "\n".join(_web(service, services) for service in services),
            WORKERS_NOTE,
            "\n".join(_worker(service) for service in services),
            TAIL,
        ]
    )


def _environment(services: list[Service]) -> str:
    lines = ["x-shoplab-env: &shoplab-env", f"  SHOPLAB_REDIS_URL: redis://redis:{REDIS_DEFAULT_PORT}/0"]
    lines += [f"  {s.name.upper()}_DATABASE_URL: {DATABASE_URL.format(database=s.database)}" for s in services]
    lines += [SHARED_SETTINGS.rstrip("\n")]
    lines += [f"  SHOPLAB_{s.name.upper()}_URL: http://{s.name}:{s.default_port}" for s in services]
    return "\n".join(lines) + "\n"


def _stores(services: list[Service]) -> str:
    databases = [service.database for service in services]
    return (
        POSTGRES.format(databases=" ".join(databases), last_database=databases[-1])
        + "\n"
        + REDIS.format(port=REDIS_DEFAULT_PORT)
    )


def _web(service: Service, services: list[Service]) -> str:
    published = ""
    if service.name == PUBLIC:
        started = "".join(
            f"      {other.name}:\n        condition: service_started\n" for other in services if other is not service
        )
        published = PUBLISHED.format(upper=service.name.upper(), port=service.default_port, started=started)
    threads = "SHOPLAB_GATEWAY_THREADS:-80" if service.name == PUBLIC else "SHOPLAB_WEB_THREADS:-4"
    preload = ", --preload" if service.preload_web else ""
    return WEB.format(
        name=service.name,
        app=service.app_module,
        port=service.default_port,
        published=published,
        threads=threads,
        preload=preload,
    )


def _worker(service: Service) -> str:
    return WORKER.format(name=service.name, worker=service.worker_module, queue=service.queue)


if __name__ == "__main__":
    sys.stdout.write(render())
