"""modelplane's Pulumi program. Deliberately thin: everything lives in the `components` package.

No __init__.py in this directory: with the repo root on sys.path it would shadow the `pulumi` package.
"""

from components.program import main

main()
