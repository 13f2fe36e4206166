//! Project scope (`scope/scope.toml`): which hosts and networks a tool may touch.
