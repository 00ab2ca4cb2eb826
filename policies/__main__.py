"""CrossGuard entry point: `pulumi preview --policy-pack policies --policy-pack-config
policies/config/<stack>.json`. A thin adapter over policies.rules (see policies/crossguard.py)."""

import sys
from pathlib import Path

# the pack runs from its own directory; the rules and the tenants model live in the repository
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.crossguard import policies  # noqa: E402

PolicyPack(name="modelplane", enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
