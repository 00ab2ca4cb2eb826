"""The README's stack config reference must name every field of the config models."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from components.config import StackConfig

REPO = Path(__file__).resolve().parents[2]


def _models(annotation, seen: set) -> None:
    for arg in (typing.get_args(annotation) or (annotation,)):
        if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
            seen.add(arg)
            for field in arg.model_fields.values():
                _models(field.annotation, seen)
        elif typing.get_args(arg):
            _models(arg, seen)


def test_readme_names_every_config_field():
    models: set = set()
    _models(StackConfig, models)
    readme = (REPO / "README.md").read_text()
    missing = sorted({f"{m.__name__}.{f.alias or n}" for m in models for n, f in m.model_fields.items()
                      if (f.alias or n) not in readme})
    assert missing == []
