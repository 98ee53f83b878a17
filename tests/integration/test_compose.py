"""The compose run mode, proved without a Docker engine (none runs on these machines).

infra/docker-compose.yml is parsed with PyYAML and interpolated as compose does; its commands are held to the ones
``make run`` uses (shoplab/supervisor.py) and to shoplab/topology.py; the modules they name are imported; the
environment is fed to shoplab.settings to see which databases and Redis each process would reach; the Redis
arguments are run by a real redis-server; the PostgreSQL init script is run against a real PostgreSQL and every
service migrated through the URLs compose gives it; and the image's contents (the build context .dockerignore lets
through, installed with pip as the Dockerfile does) are imported from a clean install.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import yaml
from celery import Celery
from sqlalchemy.engine import make_url

from shoplab import settings, supervisor
from shoplab.redis_server import redis_binary, redis_command
from shoplab.topology import REDIS_DEFAULT_PORT, SERVICE_NAMES, SERVICES, SHOP_COPY, Service
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
COMPOSE_FILE = INFRA / "docker-compose.yml"
DOCKERFILE = INFRA / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
INIT_DIR = INFRA / "postgres"
ENV_READING_PACKAGES = ("shoplab", "gateway", "services")


# --- reading the files as compose and docker would ---------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\}|(\w+))")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``."""

    def replace(match: re.Match) -> str:
        escaped, name, operator, argument, bare = match.groups()
        if escaped:
            return "$"
        name = name or bare
        value = env.get(name)
        if operator in (":-", ":?") and not value or operator in ("-", "?") and value is None:
            if operator.endswith("?"):
                raise ValueError(f"${{{name}}} is required: {argument}")
            return argument
        return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolated(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_interpolated(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(value, env) for key, value in node.items()}
    return node


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    """The compose file as compose sees it, with the given variables set (none: every documented default)."""
    return _interpolated(yaml.safe_load(COMPOSE_FILE.read_text()), env or {})


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in logical]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, arguments in dockerfile_instructions():
        if instruction == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(arguments))
    return env


def exec_form(arguments: str) -> list[str]:
    return yaml.safe_load(arguments) if arguments.startswith("[") else shlex.split(arguments)


def tracked_files() -> list[str]:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the files a fresh clone holds are unknown")
    result = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if (REPO / line).is_file()]


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """(excludes, pattern) per line; like Docker, the last matching line decides, and a directory's match covers it."""
    rules = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        glob = line.lstrip("!").strip("/")
        regex = ""
        for token in re.split(r"(\*\*/|\*\*|\*|\?)", glob):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(token, re.escape(token))
        rules.append((not include, re.compile(regex + "$")))
    return rules


def in_build_context(path: str, rules: list[tuple[bool, re.Pattern]]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for excludes, pattern in rules:
        if any(pattern.match(prefix) for prefix in prefixes):
            excluded = excludes
    return not excluded


def build_context() -> list[str]:
    rules = dockerignore_patterns()
    return [path for path in tracked_files() if in_build_context(path, rules)]


# --- what the compose file holds -----------------------------------------------------------------------------------


def services(env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    return load_compose(env)["services"]


def python_services(env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in services(env).items() if "build" in svc}


def by_image(prefix: str) -> tuple[str, dict[str, Any]]:
    found = [(name, svc) for name, svc in services().items() if str(svc.get("image", "")).startswith(prefix)]
    assert len(found) == 1, f"expected one service on image {prefix}*, found {[name for name, _ in found]}"
    return found[0]


def web_processes() -> dict[str, tuple[str, list[str]]]:
    """ShopLab service name -> (compose service, gunicorn argv), found by the app module each command serves."""
    by_app = {svc.app_module: name for name, svc in SERVICES.items()}
    found: dict[str, tuple[str, list[str]]] = {}
    for compose_name, svc in python_services().items():
        command = argv(svc.get("command", []))
        if command[:1] == ["gunicorn"]:
            apps = [part for part in command[1:] if ":" in part and not part[0].isdigit()]
            assert len(apps) == 1, f"{compose_name}: cannot tell which app {command} serves"
            assert apps[0] in by_app, f"{compose_name} serves {apps[0]}, which is no service of shoplab/topology.py"
            assert by_app[apps[0]] not in found, f"two compose services serve {apps[0]}"
            found[by_app[apps[0]]] = (compose_name, command)
    return found


def celery_processes(kind: str) -> dict[str, list[str]]:
    return {
        name: argv(svc["command"])
        for name, svc in python_services().items()
        if argv(svc.get("command", []))[:1] == ["celery"] and kind in argv(svc["command"])
    }


def option(command: list[str], flag: str) -> str:
    assert flag in command, f"{flag} missing from {command}"
    return command[command.index(flag) + 1]


def without_interpreter(command: list[str]) -> list[str]:
    """``[sys.executable, "-m", "gunicorn", ...]`` as the supervisor runs it -> ``["gunicorn", ...]``."""
    assert command[:2] == [sys.executable, "-m"], command
    return command[2:]


def healthcheck_argv(svc: dict[str, Any]) -> list[str]:
    test = svc["healthcheck"]["test"]
    if isinstance(test, str):
        return ["CMD-SHELL", test]
    return [str(part) for part in test]


def python_snippets() -> list[tuple[str, str]]:
    """Every ``python -c CODE`` in the commands and healthchecks of the Python processes."""
    snippets = []
    for name, svc in python_services().items():
        for command in (argv(svc.get("command", [])), healthcheck_argv(svc) if "healthcheck" in svc else []):
            if command[:1] == ["CMD"]:
                command = command[1:]
            if command[:2] == ["python", "-c"]:
                snippets.append((name, command[2]))
    return snippets


def init_databases() -> set[str]:
    """The databases the init script creates: it creates each one compose lists for it in SHOPLAB_DATABASES (and
    test_init_script_creates_databases_every_service_migrates_into runs it to see that it does)."""
    scripts = " ".join(path.read_text() for path in sorted(INIT_DIR.iterdir()) if path.suffix in (".sh", ".sql"))
    assert re.search(r"for \w+ in \$SHOPLAB_DATABASES", scripts), "the init script creates what compose lists"
    _, postgres = by_image("postgres:16")
    return set(environment(postgres).get("SHOPLAB_DATABASES", "").split())


def project_dependencies() -> set[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    return {re.split(r"[\[<>=!~; ]", dep, maxsplit=1)[0].lower() for dep in pyproject["project"]["dependencies"]}


def environment_readers() -> list[re.Pattern]:
    """Every variable name the code reads with ``os.environ.get``/``os.environ[...]``, f-strings as patterns."""
    patterns: set[str] = set()
    for package in ENV_READING_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                key = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                    target = node.func
                    if target.attr in ("get", "getenv") and ast.unparse(target.value) in ("os.environ", "os"):
                        key = node.args[0]
                elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                    key = node.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    patterns.add(re.escape(key.value))
                elif isinstance(key, ast.JoinedStr):
                    patterns.add(
                        "".join(
                            re.escape(part.value) if isinstance(part, ast.Constant) else "[A-Z0-9_]+"
                            for part in key.values
                        )
                    )
    return [re.compile(pattern + "$") for pattern in patterns]


def _set_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Only ``env``, as the container would have it, for every setting ShopLab reads."""
    for key in list(os.environ):
        if (key.startswith("SHOPLAB_") and key != "SHOPLAB_VAR_DIR") or key.endswith("DATABASE_URL"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


# --- the checks ----------------------------------------------------------------------------------------------------


def test_compose_runs_every_process_of_make_run_once():
    compose = load_compose()
    assert set(web_processes()) == set(SERVICE_NAMES), "one gunicorn process per service of shoplab/topology.py"
    workers = celery_processes("worker")
    queues = sorted(option(command, "-Q") for command in workers.values())
    assert queues == sorted(SERVICE_NAMES), f"one Celery worker per service queue, found queues {queues}"
    assert len(celery_processes("beat")) == 1, "exactly one scheduler: two would send every timer twice"
    by_image("postgres:16")
    by_image("redis:7")
    assert set(compose.get("volumes", {})) >= {"postgres-data", "redis-data"}


def test_the_committed_file_is_the_one_generated_from_the_topology():
    from infra.compose import render

    assert COMPOSE_FILE.read_text() == render(), (
        "infra/docker-compose.yml differs from shoplab/topology.py: run python -m infra.compose > "
        "infra/docker-compose.yml"
    )


def test_a_new_topology_entry_is_a_new_service_in_the_compose_file():
    """Adding a service is one topology entry (and its folder): its web process, worker, database and URL follow."""
    from infra.compose import render

    loyalty = Service("loyalty", "services.loyalty", 8005, "ShopLab loyalty service", subscribes=SHOP_COPY)
    compose = _interpolated(yaml.safe_load(render([*SERVICES.values(), loyalty])), {})
    web = compose["services"]["loyalty"]
    assert argv(web["command"])[:2] == ["gunicorn", "services.loyalty.app:create_app()"]
    assert option(argv(web["command"]), "--bind") == "0.0.0.0:8005" and "ports" not in web
    assert option(argv(compose["services"]["loyalty-worker"]["command"]), "-Q") == "loyalty"
    env = environment(compose["services"]["loyalty"])
    assert env["LOYALTY_DATABASE_URL"].endswith("@postgres:5432/shoplab_loyalty")
    assert env["SHOPLAB_LOYALTY_URL"] == "http://loyalty:8005"
    postgres = environment(compose["services"]["postgres"])
    assert postgres["SHOPLAB_DATABASES"].split() == [*(s.database for s in SERVICES.values()), "shoplab_loyalty"]
    assert "loyalty" in compose["services"]["gateway"]["depends_on"]


def test_every_python_process_uses_the_one_image():
    python = python_services()
    assert len(python) >= 2 * len(SERVICE_NAMES) + 1
    builds = {yaml.safe_dump(svc["build"]) for svc in python.values()}
    images = {svc.get("image") for svc in python.values()}
    assert len(builds) == 1 and len(images) == 1 and None not in images, (builds, images)
    build = next(iter(python.values()))["build"]
    context = (INFRA / build["context"]).resolve()
    assert context == REPO, f"the build context must be the repository root, not {context}"
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE
    others = {name for name, svc in services().items() if "build" not in svc}
    assert {
        name for name in others if not str(services()[name].get("image", "")).startswith(("postgres", "redis"))
    } == (set()), "a process that is neither a store nor built from infra/Dockerfile"


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_web_process_is_gunicorn_serving_the_app_factory_on_its_port(name, monkeypatch):
    compose_name, command = web_processes()[name]
    service = SERVICES[name]
    module_name, factory = service.app_module.split(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, factory.removesuffix("()"), None)), f"{module_name} has no {factory}"
    assert option(command, "--bind") == f"0.0.0.0:{service.default_port}"

    # The flags of `make run`, but on all interfaces of the container and with the access log on stdout.
    _set_environment(monkeypatch, {f"SHOPLAB_{name.upper()}_HOST": "0.0.0.0", "SHOPLAB_ACCESS_LOG": "1"})
    monkeypatch.setenv("SHOPLAB_WEB_WORKERS", option(command, "--workers"))
    monkeypatch.setenv("SHOPLAB_WEB_THREADS", option(command, "--threads"))
    monkeypatch.setenv("SHOPLAB_WEB_KEEPALIVE_SECONDS", option(command, "--keep-alive"))
    assert command == without_interpreter(supervisor.web_command(name)), "compose and make run start it differently"

    health = " ".join(healthcheck_argv(services()[compose_name]))
    assert f"http://127.0.0.1:{service.default_port}/healthz" in health


def test_only_the_gateway_is_published():
    published = {name: svc["ports"] for name, svc in services().items() if svc.get("ports")}
    gateway_compose_name = web_processes()["gateway"][0]
    assert list(published) == [gateway_compose_name], f"only the gateway is a public entry point, not {published}"
    targets = [str(port).rsplit(":", 1)[-1] for port in published[gateway_compose_name]]
    assert targets == [str(SERVICES["gateway"].default_port)]


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_worker_consumes_its_own_queue_with_the_supervisor_flags(name, monkeypatch):
    workers = {option(command, "-Q"): command for command in celery_processes("worker").values()}
    command = workers[name]
    module = importlib.import_module(option(command, "-A"))
    assert option(command, "-A") == SERVICES[name].worker_module
    assert isinstance(getattr(module, "app", None), Celery), f"{SERVICES[name].worker_module} exposes no Celery app"
    assert f"{name}.deliver" in module.app.tasks, f"{name}'s worker cannot run the deliveries sent to its queue"
    monkeypatch.setenv("SHOPLAB_WORKER_CONCURRENCY", option(command, "--concurrency"))
    assert command == without_interpreter(supervisor.worker_command(name)), "compose and make run start it differently"


def test_beat_runs_shoplab_beat_and_its_timers_reach_running_workers(monkeypatch):
    (command,) = celery_processes("beat").values()
    # The image's directory (not created here): where the Dockerfile points SHOPLAB_VAR_DIR.
    monkeypatch.setattr(settings, "var_dir", lambda: Path(dockerfile_env()["SHOPLAB_VAR_DIR"]))
    assert command == without_interpreter(supervisor.beat_command())
    beat = importlib.import_module(option(command, "-A"))
    assert isinstance(beat.app, Celery) and beat.app.conf.beat_schedule
    consumed = {option(worker, "-Q") for worker in celery_processes("worker").values()}
    for entry in beat.app.conf.beat_schedule.values():
        assert entry["options"]["queue"] in consumed, f"{entry['task']} goes to a queue no worker consumes"


def test_the_simulator_runs_as_make_run_starts_it_once_the_gateway_is_healthy():
    simulator = services()["simulator"]
    assert argv(simulator["command"]) == ["python", *supervisor.simulator_command()[1:]]
    assert simulator["depends_on"]["gateway"]["condition"] == "service_healthy"
    assert "SHOPLAB_GATEWAY_URL" in environment(simulator), "it reaches the gateway over HTTP, nothing else"


def test_every_executable_is_installed_by_the_project():
    dependencies = project_dependencies()
    commands = [argv(svc["command"]) for svc in python_services().values()]
    commands.append(next(exec_form(args) for instruction, args in dockerfile_instructions() if instruction == "CMD"))
    for command in commands:
        executable = command[0]
        if executable == "python":
            continue
        providers = {
            dist.metadata["Name"].lower()
            for dist in importlib.metadata.distributions()
            if any(ep.group == "console_scripts" and ep.name == executable for ep in dist.entry_points)
        }
        assert providers & dependencies, f"{executable} comes from {providers or 'nothing'}, not from pyproject.toml"


def test_python_snippets_import_what_exists():
    snippets = python_snippets()
    assert snippets, "the healthchecks use python -c"
    for compose_name, code in snippets:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)
            elif isinstance(node, ast.ImportFrom):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{compose_name}: {node.module} has no {alias.name}"


def _run_snippet(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_web_healthchecks_pass_on_200_and_fail_on_503(tmp_path):
    status = {"code": 200}

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status["code"] if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for name, (compose_name, _) in web_processes().items():
            (code,) = [c for n, c in python_snippets() if n == compose_name]
            port = SERVICES[name].default_port
            code = code.replace(f"127.0.0.1:{port}", f"127.0.0.1:{server.server_port}")
            for status["code"], healthy in ((200, True), (503, False)):
                result = _run_snippet(code, {}, tmp_path)
                assert (result.returncode == 0) == healthy, (compose_name, status, result.stderr[-500:])
    finally:
        server.shutdown()


def test_worker_healthchecks_follow_the_heartbeat(redis_server, tmp_path):
    from shoplab.eventbus.heartbeat import alive_key

    client = redis.Redis.from_url(redis_server)
    for compose_name, command in celery_processes("worker").items():
        (code,) = [c for n, c in python_snippets() if n == compose_name]
        queue = option(command, "-Q")
        client.set(alive_key(queue), 1, ex=30)
        alive = _run_snippet(code, {"SHOPLAB_REDIS_URL": redis_server}, tmp_path)
        client.delete(alive_key(queue))
        gone = _run_snippet(code, {"SHOPLAB_REDIS_URL": redis_server}, tmp_path)
        assert alive.returncode == 0, (compose_name, alive.stderr[-500:])
        assert gone.returncode != 0, f"{compose_name} looks healthy with no heartbeat of {queue}"


def test_seed_prints_the_demo_logins(redis_server, tmp_path):
    from gateway.service import SPEC
    from shoplab.plumbing.runtime import ServiceRuntime

    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    ServiceRuntime(SPEC, url).migrate()  # in compose the gateway has migrated before seed starts
    command = argv(services()["seed"]["command"])
    assert command[:2] == ["python", "-m"], command
    env = {"GATEWAY_DATABASE_URL": url, "SHOPLAB_REDIS_URL": redis_server, "SHOPLAB_VAR_DIR": str(tmp_path)}
    for _ in range(2):  # a restarted stack seeds again: nothing doubled, same logins
        result = subprocess.run(
            [sys.executable, *command[1:]], env={**os.environ, **env}, cwd=REPO,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert "instructor: teacher / teacher-demo" in result.stdout


def test_environment_names_are_ones_the_code_reads():
    readers = environment_readers()
    names = {key for svc in python_services().values() for key in environment(svc)}
    names |= {key for key in dockerfile_env() if key.startswith("SHOPLAB_")}
    unread = sorted(name for name in names if not any(reader.match(name) for reader in readers))
    assert not unread, f"set in compose or the Dockerfile but read by no ShopLab code: {unread}"


@pytest.mark.parametrize(
    "variables", [{}, {"SHOPLAB_DB_USER": "course42", "SHOPLAB_DB_PASSWORD": "s3cret-pw"}], ids=["defaults", "set"]
)
def test_every_process_reaches_its_database_redis_and_the_other_services(variables, monkeypatch):
    compose_services = services(variables)
    postgres_name, _ = by_image("postgres:16")
    postgres_env = environment(compose_services[postgres_name])
    databases = init_databases()
    redis_name, redis_service = by_image("redis:7")
    redis_port = int(option(argv(redis_service["command"]), "--port"))
    assert redis_port == REDIS_DEFAULT_PORT, "the same port as the embedded Redis"
    web = {name: compose_name for name, (compose_name, _) in web_processes().items()}

    for compose_name, svc in compose_services.items():
        if "build" not in svc:
            continue
        _set_environment(monkeypatch, environment(svc))
        urls = {name: make_url(settings.database_url(name)) for name in SERVICE_NAMES}
        for name, url in urls.items():
            where = f"{compose_name}: {name}'s database"
            assert url.drivername == "postgresql+psycopg", where
            assert url.host == postgres_name, where
            assert url.database in databases, f"{where} {url.database} is not created by the init script"
            assert (url.username, url.password) == (
                postgres_env["SHOPLAB_DB_USER"],
                postgres_env["SHOPLAB_DB_PASSWORD"],
            )
        assert len({url.database for url in urls.values()}) == len(SERVICE_NAMES), "each service owns its database"

        broker = make_url(settings.redis_url())
        assert (broker.host, broker.port) == (redis_name, redis_port), compose_name
        assert settings.internal_token() == environment(compose_services[web["gateway"]])["SHOPLAB_INTERNAL_TOKEN"]
        for name, service in SERVICES.items():
            assert service.url == f"http://{web[name]}:{service.default_port}", f"{compose_name} cannot reach {name}"

    script = " ".join(path.read_text() for path in INIT_DIR.iterdir())
    assert "$SHOPLAB_DB_USER" in script and "$SHOPLAB_DB_PASSWORD" in script


def test_dependencies_wait_for_healthy_stores():
    compose_services = services()
    postgres_name, _ = by_image("postgres:16")
    redis_name, _ = by_image("redis:7")
    for name, svc in compose_services.items():
        depends = svc.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for target, spec in depends.items():
            assert target in compose_services, f"{name} depends on unknown {target}"
            assert spec["condition"] in ("service_healthy", "service_started", "service_completed_successfully")
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in compose_services[target], f"{name} waits for {target}, which has no healthcheck"
        if "build" in svc and name not in {compose for compose, _ in celery_processes("beat").items()}:
            waits = _transitive_healthy(compose_services, name)
            assert {postgres_name, redis_name} <= waits, f"{name} may start before PostgreSQL and Redis are ready"
    for compose_name, _ in web_processes().values():
        assert "healthcheck" in compose_services[compose_name]
    for worker in celery_processes("worker"):
        assert "healthcheck" in compose_services[worker]
    (beat,) = celery_processes("beat")
    assert compose_services[beat]["depends_on"][redis_name]["condition"] == "service_healthy"


def _transitive_healthy(compose_services: dict[str, Any], name: str, seen: frozenset = frozenset()) -> set[str]:
    assert name not in seen, f"depends_on cycle through {name}"
    waits = set()
    for target, spec in compose_services[name].get("depends_on", {}).items():
        if spec["condition"] == "service_healthy":
            waits |= {target} | _transitive_healthy(compose_services, target, seen | {name})
    return waits


def test_stores_have_healthchecks_volumes_and_the_init_script():
    postgres_name, postgres = by_image("postgres:16")
    assert "pg_isready" in healthcheck_argv(postgres)
    mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in postgres["volumes"]}
    assert (INFRA / mounts["/docker-entrypoint-initdb.d"]).resolve() == INIT_DIR
    assert mounts["/var/lib/postgresql/data"] == "postgres-data"
    assert init_databases() >= {f"shoplab_{name}" for name in SERVICE_NAMES}
    for script in INIT_DIR.glob("*.sh"):
        assert os.access(script, os.X_OK), f"{script.name} must be executable: the image sources it otherwise"

    _, redis_service = by_image("redis:7")
    assert "ping" in " ".join(healthcheck_argv(redis_service))
    mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in redis_service["volumes"]}
    assert mounts[option(argv(redis_service["command"]), "--dir")] == "redis-data", "the append-only file is kept"


def test_redis_persists_like_the_embedded_one_and_a_real_redis_server_takes_the_arguments(tmp_path):
    _, redis_service = by_image("redis:7")
    command = argv(redis_service["command"])
    embedded = redis_command(REDIS_DEFAULT_PORT, tmp_path)
    for flag, value in (("--appendonly", "yes"), ("--appendfsync", "always"), ("--maxmemory-policy", "noeviction")):
        assert option(command, flag) == option(embedded, flag) == value

    port = free_port()
    arguments = list(command[1:])
    arguments[arguments.index("--port") + 1] = str(port)
    arguments[arguments.index("--dir") + 1] = str(tmp_path)
    process = subprocess.Popen([redis_binary(), *arguments, "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL)
    try:
        from shoplab.redis_server import wait_for_redis

        wait_for_redis(f"redis://127.0.0.1:{port}/0", process)
        client = redis.Redis(port=port, decode_responses=True)
        for key, value in (("appendonly", "yes"), ("appendfsync", "always"), ("maxmemory-policy", "noeviction")):
            assert client.config_get(key)[key] == value
        client.set("survives", "a restart")
    finally:
        process.terminate()
        process.wait(10)
    assert any(tmp_path.rglob("*.aof")), "no append-only file written"


def test_dockerfile_builds_one_non_root_image_with_pip_install():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = [args for instruction, args in instructions if instruction == "RUN"]
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in runs), "the project is installed with pip install ."
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0"), "processes run as a non-root user"
    assert next(i for i, (ins, _) in enumerate(instructions) if ins == "USER") > max(
        i for i, (ins, args) in enumerate(instructions) if ins == "RUN"
    ), "USER comes after every install step"

    command = next(exec_form(args) for instruction, args in instructions if instruction == "CMD")
    module, factory = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))

    context = set(build_context())
    for instruction, arguments in instructions:
        if instruction == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                source = source.rstrip("/")
                assert source == "." or source in context or any(path.startswith(source + "/") for path in context), (
                    f"COPY {source}: not in the repository or left out by .dockerignore"
                )


def test_build_context_holds_every_installed_package_and_nothing_else():
    context = build_context()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    readme = pyproject["project"].get("readme")
    assert "pyproject.toml" in context and (readme is None or readme in context)
    packages = [pattern.rstrip("*") for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]]
    tracked = tracked_files()
    for path in tracked:
        top = path.split("/", 1)[0]
        if top in packages and "__pycache__" not in path:
            assert path in context, f"{path} is installed by pyproject.toml but .dockerignore keeps it out of the image"
    assert not [path for path in context if path.split("/", 1)[0] in ("tests", "var", ".venv", ".git", "infra")]


@pytest.mark.slow
def test_image_contents_install_and_serve_every_command(tmp_path):
    """What the image gets: the build context, installed (not editable) with pip, then every command's module
    imported from the install and every service migrated from the migrations it carries."""
    source = tmp_path / "context"
    for path in build_context():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, source / path)
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)], check=True, capture_output=True)
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), *map(str, wheels.glob("*.whl"))], check=True)

    modules = {SERVICES[name].app_module.split(":")[0] for name in SERVICE_NAMES}
    specs = {name: SERVICES[name].spec_module for name in SERVICE_NAMES}
    modules |= {option(command, "-A") for command in celery_processes("worker").values()}
    modules |= {option(command, "-A") for command in celery_processes("beat").values()}
    probe = f"""
import importlib, sys
from pathlib import Path
site = Path({str(site)!r})
for name in {sorted(modules)!r}:
    module = importlib.import_module(name)
    assert Path(module.__file__).is_relative_to(site), f"{{name}} came from {{module.__file__}}, not the install"
from shoplab.shops.profiles import PROFILE_DIR
assert Path(PROFILE_DIR).is_relative_to(site) and sorted(Path(PROFILE_DIR).glob("*.yaml")), "profiles missing"
from shoplab.plumbing.runtime import ServiceRuntime
from sqlalchemy import inspect
for name, spec_module in {specs!r}.items():
    spec = importlib.import_module(spec_module).SPEC
    runtime = ServiceRuntime(spec, "sqlite:///" + str(site.parent / (name + ".sqlite3")))
    runtime.migrate()
    tables = set(inspect(runtime.db.engine).get_table_names())
    assert "alembic_version" in tables and len(tables) > 1, (name, tables)
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(site), "SHOPLAB_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


@pytest.mark.postgres
def test_init_script_creates_databases_every_service_migrates_into(postgres_server, tmp_path, monkeypatch):
    from shoplab.plumbing.runtime import ServiceRuntime

    role = f"compose_{uuid.uuid4().hex[:8]}"  # the test server's own superuser is called shoplab
    variables = {"SHOPLAB_DB_USER": role, "SHOPLAB_DB_PASSWORD": "compose-check"}
    compose_services = services(variables)
    postgres_name, _ = by_image("postgres:16")
    env = {
        **os.environ,
        **environment(compose_services[postgres_name]),
        "POSTGRES_USER": "shoplab",
        "POSTGRES_DB": "postgres",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(postgres_server.port),
        "PATH": f"{os.environ['PATH']}:{postgres_server.bindir}",
    }
    databases = sorted(init_databases())
    try:
        for script in sorted(INIT_DIR.glob("*.sh")):
            result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stderr

        # Every process's URLs, pointed at the test server instead of the compose service name.
        _set_environment(monkeypatch, environment(compose_services[web_processes()["orders"][0]]))
        for name in SERVICE_NAMES:
            url = make_url(settings.database_url(name)).set(host="127.0.0.1", port=postgres_server.port)
            spec = importlib.import_module(SERVICES[name].spec_module).SPEC
            runtime = ServiceRuntime(spec, url.render_as_string(hide_password=False))
            runtime.migrate()
            with runtime.db.engine.connect() as conn:
                owner = conn.exec_driver_sql("SELECT current_user").scalar()
                version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            runtime.db.engine.dispose()
            assert owner == role and version, (name, owner, version)
    finally:
        with psycopg.connect(postgres_server.admin_dsn, autocommit=True) as conn:
            for database in databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_docker_compose_accepts_the_file_when_the_plugin_is_there():
    if shutil.which("docker") is None:
        pytest.skip("no docker client")
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker client has no compose plugin (it needs no engine for `config`)")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
