"""Stage 4, render: Markdown tokens plus anchors to HTML, and Jinja layouts to pages."""
