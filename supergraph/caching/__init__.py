"""The `@cacheable` directive: what the gateway may cache and which events invalidate it."""

from .spec import (
    DIRECTIVE_NAME,
    DIRECTIVE_SDL,
    SPEC_URL,
    CachePolicy,
    CacheRule,
    CacheRuleError,
    InvalidCacheRules,
    cache_policy,
    validate_cache_rules,
)

__all__ = [
    "DIRECTIVE_NAME",
    "DIRECTIVE_SDL",
    "SPEC_URL",
    "CachePolicy",
    "CacheRule",
    "CacheRuleError",
    "InvalidCacheRules",
    "cache_policy",
    "validate_cache_rules",
]
