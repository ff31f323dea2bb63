"""Stage 2, validate: check the loaded data against the schemas; and the audit against the received text."""
