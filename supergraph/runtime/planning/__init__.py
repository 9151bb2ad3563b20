"""Query planning: an operation becomes a plan of subgraph fetches, cached per document."""
