"""Folders and the nightly job (SPEC §4): which files are batches, the state file that
skips what was already audited, the index, the settings file and the per-batch log."""
