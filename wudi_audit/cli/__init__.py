"""The command line: one module per command group, shared options and help beside them."""
