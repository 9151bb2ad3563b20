"""Code around the stages of a request: the plugin API and the built-in policies written on it."""
