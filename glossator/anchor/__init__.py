"""Stage 3, anchor: place each annotation's quote on the text a reader sees."""
