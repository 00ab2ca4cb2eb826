"""Fluent Bit's pipeline as a release configures it (its classic config format, in the chart's `config.inputs`,
`config.filters`, `config.outputs`): every input's records must reach an output, or Fluent Bit reads them and
drops them."""

from __future__ import annotations

import fnmatch

from modelplane.plan.charts import ChartStore, release_values


def sections(text: str) -> list[tuple[str, dict[str, str]]]:
    """[(section name, {key: value})] of a classic Fluent Bit configuration."""
    out: list[tuple[str, dict[str, str]]] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            out.append((line[1:-1].strip().upper(), {}))
        elif out:
            key, _, value = line.partition(" ")
            out[-1][1][key.lower()] = value.strip()
    return out


def unrouted_inputs(values: dict) -> list[str]:
    """Tags of inputs no output's Match takes (Fluent Bit's Match is a glob on the tag)."""
    config = values.get("config") or {}
    inputs = [s for name, s in sections(config.get("inputs", "")) if name == "INPUT"]
    matches = [s.get("match", "") for name, s in sections(config.get("outputs", "")) if name == "OUTPUT"]
    return [i.get("tag", "(no tag)") for i in inputs
            if not any(fnmatch.fnmatchcase(i.get("tag", "").replace("*", "x"), m) for m in matches)]


def release_unrouted_inputs(release: dict, store: ChartStore | None) -> list[str]:
    """For a fluent-bit release: its own values over the chart's defaults (where chart data is given)."""
    return unrouted_inputs(release_values(store, release))
