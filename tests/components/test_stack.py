"""components.stack: what only the whole stack shows (the config's size as the engine passes it)."""

from __future__ import annotations

import json

import pytest

from components.errors import ConfigError
from components.stack import CONFIG_ENV_LIMIT, config_size_problems, load
from modelplane.engine.stackfile import read_stack
from tests.conftest import REPO


def test_a_config_too_big_for_the_engine_is_refused_naming_the_models(stack_tree):
    """Found by the engine: 200 models inline made `pulumi up` fail with "argument list too long" before the
    program ran. The limit is one environment string; the models file has none."""
    flat, secret_keys = read_stack("prod", REPO)
    assert config_size_problems(flat) == []
    [churn] = [m for m in json.loads(flat["modelplane:models"]) if m["namespace"] == "marketing"]
    many = {**flat, "modelplane:models": json.dumps([{**churn, "name": f"model-{i:03d}"} for i in range(200)])}
    assert len(json.dumps(many)) > CONFIG_ENV_LIMIT
    [problem] = config_size_problems(many)
    assert problem.startswith("models: the stack config is ") and "models file: modelsFile" in problem
    with pytest.raises(ConfigError, match="Linux limits to 128 KiB"):
        load(many, secret_keys, "prod", stack_tree)
