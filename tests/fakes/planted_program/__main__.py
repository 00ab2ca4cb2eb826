"""`pulumi up` entry point of the planted program (see planted.py)."""

from planted import declare

declare()
