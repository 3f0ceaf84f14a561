"""The exit codes of every command, declared once (scripts, CI and the nightly read them)."""

EXIT_OK = 0  # done; nothing failed
EXIT_FAILED = 1  # done, and something failed: a dataset, a fiche, a stale generated file
EXIT_BROKEN = 2  # could not proceed: usage, no repository, no network, interrupted
