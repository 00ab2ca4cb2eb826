"""Shared building blocks for the typed configuration: a strict base model and common field types."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Kubernetes resource quantities (a subset of the apimachinery grammar that covers real usage).
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


class Strict(BaseModel):
    """Every config model: unknown keys are errors; keys are camelCase in YAML (Pulumi's convention)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_alias=True, validate_by_name=False,
        defer_build=True,
    )


def _dns_label(value: str) -> str:
    if len(value) > 63 or not DNS1123_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a DNS-1123 label (lower-case letters, digits and '-', "
            "starting and ending alphanumeric, at most 63 characters)"
        )
    return value


def _quantity(value: str | int) -> str:
    text = str(value)
    if not QUANTITY.match(text):
        raise ValueError(f"{text!r} is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)")
    return text


def _cidr(value: str) -> str:
    """An IPv4 or IPv6 network in CIDR notation with no host bits set (what AWS, GCP and Kubernetes accept)."""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        reason = "has host bits set" if "host bits" in str(exc) else "is not a network in CIDR notation"
        raise ValueError(f"{value!r} {reason} (e.g. 10.0.0.0/8, 203.0.113.0/24)") from None
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length (e.g. {network})")
    return value


DnsLabel = Annotated[str, AfterValidator(_dns_label)]
# an absolute http(s) URL, what browsers are sent to (a path alone is refused by the services that take one)
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s]*)?$")]
Cidr = Annotated[str, AfterValidator(_cidr)]
Quantity = Annotated[str | int, AfterValidator(_quantity)]
