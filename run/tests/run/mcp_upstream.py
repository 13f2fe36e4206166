"""An upstream MCP server for the proxy tests, on the official Python SDK (`mcp`).

Tools: typed echoes (integer, boolean, string), an error, a hang that records its
cancellation, an environment probe, and a tool answering JSON as text only.
"""

import asyncio
import os
import sys
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("cladgen-proxy-fixture")


@server.tool(structured_output=True)
def typed(count: int | str, verbose: bool | str, label: str) -> dict[str, Any]:
    """Echoes its arguments with the Python type each one arrived as."""
    return {
        "count": count,
        "count_type": type(count).__name__,
        "verbose": verbose,
        "verbose_type": type(verbose).__name__,
        "label": label,
        "label_type": type(label).__name__,
    }


@server.tool()
def fail(reason: str) -> str:
    """Always reports an error (isError)."""
    raise ToolError(f"refused on purpose: {reason}")


@server.tool()
async def hang(seconds: int) -> str:
    """Sleeps; a cancellation is written to $CANCEL_MARKER."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        marker = os.environ.get("CANCEL_MARKER")
        if marker:
            with open(marker, "w") as f:
                f.write("cancelled")
        raise
    return "woke up"


@server.tool()
def env(name: str) -> str:
    """The value of an environment variable, or <unset>."""
    return os.environ.get(name, "<unset>")


@server.tool(structured_output=False)
def json_text() -> str:
    """Answers JSON as a text block only (no structuredContent)."""
    return '{"answer": 42, "source": "text"}'


if __name__ == "__main__":
    print("fixture upstream starting", file=sys.stderr, flush=True)
    server.run("stdio")
