"""Drives `cladgen serve` with the official MCP Python SDK; prints one JSON object
of facts (serve/tests/serve.rs asserts on them).

usage: mcp_client.py SCENARIO PORT
The SDK's stdio client starts this file again as `bridge PORT`: a byte pipe between
its stdin/stdout and the server the test serves on a loopback socket, so the server
runs inside the test process (whose process groups the test inspects).
"""

import json
import sys



def result_facts(r):
    return {
        "is_error": bool(r.is_error),
        "text": "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text"),
        "structured": r.structured_content,
    }


def bridge(port):
    import socket
    import threading

    s = socket.create_connection(("127.0.0.1", port))

    def up():
        while True:
            b = sys.stdin.buffer.read1(65536)
            if not b:
                break
            s.sendall(b)
        s.shutdown(socket.SHUT_WR)

    threading.Thread(target=up, daemon=True).start()
    while True:
        b = s.recv(65536)
        if not b:
            break
        sys.stdout.buffer.write(b)
        sys.stdout.buffer.flush()


async def main():
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    scenario, port = sys.argv[1], sys.argv[2]
    facts = {}
    if scenario.startswith("http_"):
        # Streamable HTTP: the server listens on the port itself.
        from mcp.client.streamable_http import streamable_http_client

        transport = streamable_http_client(f"http://127.0.0.1:{port}/mcp")
        scenario = scenario[len("http_"):]
    else:
        params = StdioServerParameters(command=sys.executable, args=[__file__, "bridge", port])
        transport = stdio_client(params)
    # Approval scenarios: the client answers elicitation/create with `answer`
    # (`accept`, `reject` = accept with approve false, `decline`, `slow` = never in
    # time) and records what it was asked.
    asked = []
    answer = scenario[len("elicit_"):] if scenario.startswith("elicit_") else None

    async def on_elicit(context, params):
        from mcp import types

        asked.append({"message": params.message, "schema": params.requested_schema})
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"approve": True})
        if answer == "reject":
            return types.ElicitResult(action="accept", content={"approve": False})
        if answer == "slow":
            await anyio.sleep(30)
        return types.ElicitResult(action="decline")

    callback = on_elicit if answer is not None else None
    async with transport as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write, elicitation_callback=callback) as session:
            await session.initialize()
            listed = await session.list_tools()
            facts["tools"] = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in listed.tools]
            if scenario == "list":
                pass
            elif scenario == "call":
                r = await session.call_tool("greet", {"name": "world", "times": 2})
                facts["call"] = result_facts(r)
            elif scenario == "bad_args":
                r = await session.call_tool("greet", {"name": 7, "times": 99, "colour": "red"})
                facts["call"] = result_facts(r)
            elif scenario == "refusal" or answer is not None:
                r = await session.call_tool("guarded", {})
                facts["call"] = result_facts(r)
                facts["asked"] = asked
            elif scenario == "unknown":
                try:
                    await session.call_tool("no_such_tool", {})
                    facts["error"] = None
                except Exception as e:  # the SDK raises on a JSON-RPC error
                    facts["error"] = str(e)
                r = await session.call_tool("greet", {"name": "again", "times": 1})
                facts["after"] = result_facts(r)
            elif scenario == "progress":
                seen = []

                async def on_progress(progress, total, message):
                    seen.append({"progress": progress, "message": message})

                r = await session.call_tool("sleeper", {"seconds": 3}, progress_callback=on_progress)
                facts["call"] = result_facts(r)
                facts["progress"] = seen
            elif scenario == "cancel":
                # Abandoning the call makes the SDK send notifications/cancelled.
                with anyio.move_on_after(1.5):
                    await session.call_tool("sleeper", {"seconds": 30})
                facts["cancelled"] = True
                # The server keeps serving after a cancel.
                r = await session.call_tool("greet", {"name": "after cancel", "times": 1})
                facts["after"] = result_facts(r)
            elif scenario == "concurrent":
                results = {}

                async def one(i):
                    r = await session.call_tool("greet", {"name": f"n{i}", "times": 1})
                    results[i] = result_facts(r)

                async with anyio.create_task_group() as tg:
                    for i in range(6):
                        tg.start_soon(one, i)
                facts["calls"] = [results[i] for i in range(6)]
            else:
                raise SystemExit(f"unknown scenario {scenario}")
    print(json.dumps(facts))


if sys.argv[1] == "bridge":
    bridge(int(sys.argv[2]))
else:
    # The bridge stays free of the SDK's imports: it only moves bytes.
    import anyio

    anyio.run(main)
