"""Model deployments declared in stack config."""
