"""The archive (归档): one folder per program with a verifiable manifest."""
