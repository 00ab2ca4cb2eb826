"""Kubernetes resource quantities as numbers: CPU in cores, memory in GiB."""

from __future__ import annotations

from dataclasses import dataclass

_SUFFIX = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def _split(text: str) -> tuple[float, str]:
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            return float(text[: -len(suffix)]), suffix
    return float(text), ""


def cpu_cores(quantity: str | int | float) -> float:
    text = str(quantity)
    if text.endswith("m"):
        return float(text[:-1]) / 1000
    return float(text)


def memory_gib(quantity: str | int | float) -> float:
    number, suffix = _split(str(quantity))
    return number * _SUFFIX[suffix] / 2**30


@dataclass(frozen=True)
class Requests:
    cpu: float = 0.0  # cores
    memory: float = 0.0  # GiB

    @classmethod
    def of(cls, cpu: str | int | float, memory: str | int | float) -> Requests:
        return cls(cpu_cores(cpu), memory_gib(memory))

    def __add__(self, other: Requests) -> Requests:
        return Requests(self.cpu + other.cpu, self.memory + other.memory)

    def __mul__(self, n: int) -> Requests:
        return Requests(self.cpu * n, self.memory * n)
