"""The model shared by both halves: types, task descriptions, schemas, codec and docs."""
