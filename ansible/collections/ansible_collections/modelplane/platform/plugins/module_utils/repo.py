"""Make the modelplane checkout importable on the controller when ansible-playbook runs outside its venv."""

from __future__ import annotations

import sys
from pathlib import Path

# plugins/module_utils/repo.py -> <repo>/ansible/collections/ansible_collections/modelplane/platform/...
REPO_ROOT = Path(__file__).resolve().parents[7]


def import_components() -> None:
    try:
        import components  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(REPO_ROOT))
        try:
            import components  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                f"modelplane's plugins need the modelplane package and its dependencies ({exc}); "
                "run ansible-playbook from the repository's virtualenv (make, then .venv/bin/ansible-playbook)"
            ) from None
