"""modelplane command-line tools: render (the offline plan) and, later, check."""
