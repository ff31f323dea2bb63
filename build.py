"""Build the site: `python build.py [build|check] [--content DIR] [--layouts DIR] [--out DIR]`."""

from glossator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
