"""modelplane's Pulumi component library: typed config models beside the components that use them."""
