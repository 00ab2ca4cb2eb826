#!/usr/bin/python
"""Validate a Seldon Deploy licence before anything is written; return it with its digest."""

from __future__ import annotations

DOCUMENTATION = r"""
module: license_check
short_description: Validate a Seldon Deploy licence (present, non-empty, text, size bound)
description:
  - Reads the licence from O(path) on the host, or takes O(content) (e.g. from a Vault lookup), and fails
    when it is missing, empty, larger than O(max_bytes), or not UTF-8 text (NUL or control bytes).
  - Never writes and never returns the licence, only its digest and size, so the task needs no C(no_log)
    and its failures stay readable. O(content) is a no_log parameter.
options:
  path:
    description: The licence file. Exactly one of O(path) and O(content).
    type: path
  content:
    description: The licence text. Exactly one of O(path) and O(content).
    type: str
  source:
    description: How to name the source in messages (the variable the user set).
    type: str
    default: license_file
  max_bytes:
    description: Largest licence accepted, in bytes.
    type: int
    default: 65536
author: modelplane
"""

EXAMPLES = r"""
- name: Check the licence file
  modelplane.platform.license_check:
    path: "{{ license_file }}"
  register: license_checked
"""

RETURN = r"""
sha256:
  description: SHA-256 of the licence text with trailing whitespace removed; safe to print.
  type: str
  returned: success
size:
  description: Size of the licence text in bytes.
  type: int
  returned: success
"""

import hashlib  # noqa: E402
import os  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

ALLOWED_CONTROL = {"\n", "\r", "\t"}


def problem(raw: bytes, size: int, max_bytes: int) -> str | None:
    if size > max_bytes:
        return f"is {size} bytes, more than the {max_bytes} a licence can be"
    if not raw.strip():
        return "is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "is not text (not UTF-8): is it the licence file?"
    if any(ord(c) < 32 and c not in ALLOWED_CONTROL for c in text) or "\x7f" in text:
        return "is not text (contains control or NUL bytes): is it the licence file?"
    return None


def main() -> None:
    module = AnsibleModule(
        argument_spec={"path": {"type": "path"}, "content": {"type": "str", "no_log": True},
                       "source": {"type": "str", "default": "license_file"},
                       "max_bytes": {"type": "int", "default": 65536}},
        mutually_exclusive=[("path", "content")], required_one_of=[("path", "content")],
        supports_check_mode=True)
    params = module.params
    name = params["source"]
    if params["path"] is not None:
        try:
            with open(params["path"], "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                raw = handle.read(params["max_bytes"] + 1)
        except OSError as exc:
            module.fail_json(msg=f"{name}: cannot read {params['path']}: {exc.strerror}")
        where = f"{name} ({params['path']})"
    else:
        raw = params["content"].encode("utf-8")
        size = len(raw)
        where = name
    reason = problem(raw, max(size, len(raw)), params["max_bytes"])
    if reason:
        module.fail_json(msg=f"{where} {reason}; nothing was changed")
    text = raw.decode("utf-8").rstrip()
    module.exit_json(changed=False, sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text))


if __name__ == "__main__":
    main()
