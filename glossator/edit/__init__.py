"""Authoring: choose selectors for a passage, edit a sidecar as text, and re-anchor quotes after the text changes.

`selectors` gives the shortest quote, prefix and suffix that place a passage once; `sidecar` appends, changes and
deletes annotations without re-dumping the file; `reanchor` finds a lost quote's new place, or says it is orphaned.
`glossator fix`, and the authoring mode of `serve`, are built on these."""
