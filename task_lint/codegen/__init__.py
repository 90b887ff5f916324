"""Worker generation: Jinja2 templates rendered from the static task model."""
