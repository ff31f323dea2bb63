"""Commands of the command line that do more than build: `glossator pdf`."""
