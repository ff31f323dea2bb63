"""Commands beside the build: each in its own module, outside the core stages."""
