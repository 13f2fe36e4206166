"""The peer of the MCP round-trip bench (bench/benches/mcp.rs): the same short tool
as `bench/manifests/echo_bench.clad.toml`, served over stdio by the official Python
SDK's high-level server (`MCPServer`, formerly `FastMCP`, from `mcp` on PyPI), written
the way a user would write it: a plain function that runs the program with
`subprocess.run` (the SDK runs a synchronous tool in a worker thread).

usage: python fastmcp_server.py   (speaks MCP on stdin/stdout)
"""

import subprocess

from mcp.server.mcpserver import MCPServer

server = MCPServer("echo-bench-python")


@server.tool()
def echo_bench(message: str) -> str:
    """Echo a message back (a benchmark fixture)."""
    done = subprocess.run(
        ["/bin/echo", message],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return done.stdout


if __name__ == "__main__":
    server.run("stdio")
