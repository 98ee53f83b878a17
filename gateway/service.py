"""The gateway's parts: its routes are public; its worker rings the live stream's doorbell for the events it hears."""

from __future__ import annotations

from pathlib import Path

from gateway import injection_models  # noqa: F401  (its table belongs to the gateway's metadata)
from gateway.handlers import HANDLERS
from gateway.models import Base
from gateway.run_models import ScenarioRun  # noqa: F401  (its tables join the metadata)
from shoplab.plumbing.runtime import ServiceSpec

SPEC = ServiceSpec(
    name="gateway",
    handlers=HANDLERS,
    metadata=Base.metadata,
    migrations=Path(__file__).resolve().parent / "migrations",
    public=True,
)
