"""Calls to subgraphs: the HTTP client, identity tokens, traffic shaping, `_entities` batching."""
