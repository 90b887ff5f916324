"""The static half: reads source with ast (and astroid), never imports it."""
