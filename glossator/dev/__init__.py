"""The editing loop: rebuild on save (watch) and serve with live reload (serve)."""
