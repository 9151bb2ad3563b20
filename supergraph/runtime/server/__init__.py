"""The gateway's HTTP front: GraphQL over HTTP, APQ, batching and the HTTP-level policies."""
