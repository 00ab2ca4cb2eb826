"""Add-ons: each a config model (subclass of AddonConfig) beside the component that installs it."""
