"""Data protection: finding personal data (Presidio, offline), redacting what the tool stores,
and the retention of run payloads."""
