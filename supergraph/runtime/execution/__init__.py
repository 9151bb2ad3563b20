"""Running a plan: merge subgraph answers, shape the response, `@defer` payloads, error masking."""
