"""The stores bounded context: stores (locations), their registers, and tax regions."""
