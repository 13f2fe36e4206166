//! The dynamic path: a checked manifest plus JSON arguments to argv, HTTP request or MCP arguments, without compiling.
