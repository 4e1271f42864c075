"""The hostile-input corpus: files, settings and requests built by code to break a night or the
lookup, each test asserting the documented outcome (quarantined with a reason, or one line naming
the file and nothing published, never a traceback, never garbled or silently dropped data)."""
