//! JSON schemas for LLM tool definitions (MCP, OpenAI strict, Anthropic).
