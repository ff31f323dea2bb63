"""Stage 1, load: read content files, layouts and settings into plain data, keeping every position."""
