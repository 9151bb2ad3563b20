"""The entity cache: subgraph answers kept until the events that change them arrive."""
