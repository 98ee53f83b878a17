from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

SCRIPT_DIR = Path(__file__).resolve().parent
BUS_VERSIONS = SCRIPT_DIR / "versions"


def alembic_config(engine: Engine, version_locations: list[Path], metadata: list[MetaData] | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    locations = [BUS_VERSIONS, *version_locations]
    cfg.set_main_option("version_locations", " ".join(str(p) for p in locations))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    cfg.attributes["metadata"] = metadata or []
    return cfg


def upgrade(engine: Engine, version_locations: list[Path]) -> None:
    command.upgrade(alembic_config(engine, version_locations), "heads")
