"""A real third-party client for the interop tests: Python's `websockets` (Debian's python3-websockets).

    python3 client.py URL SCENARIO

Runs one scenario against the gateway, prints what it observed as one JSON object on stdout and exits 0; on any
error, unexpected close or timeout it prints the reason on stderr and exits non-zero. The C# test asserts on the
JSON, so this script reports facts rather than judging them.
"""

import asyncio
import hashlib
import json
import sys

import websockets

OVERALL_TIMEOUT_S = 20
STEP_TIMEOUT_S = 10


async def receive(ws):
    return await asyncio.wait_for(ws.recv(), STEP_TIMEOUT_S)


async def echo(ws):
    result = {}
    text = "héllo wörld €𝄞"
    await ws.send(text)
    result["text"] = {"sent": text, "received": await receive(ws)}

    data = bytes(i & 0xFF for i in range(200_000))
    await ws.send(data)
    echoed = await receive(ws)
    result["binary"] = {
        "isBinary": isinstance(echoed, bytes),
        "sentSha256": hashlib.sha256(data).hexdigest(),
        "receivedSha256": hashlib.sha256(echoed if isinstance(echoed, bytes) else echoed.encode()).hexdigest(),
    }

    # An iterable is sent as one fragmented message: a text frame, then continuations.
    parts = ["frag", "men", "ted ✓"]
    await ws.send(parts)
    result["fragmented"] = {"sent": "".join(parts), "received": await receive(ws)}

    # websockets completes the waiter only for a pong whose payload matches the ping's.
    pong_waiter = await ws.ping(b"are you there?")
    await asyncio.wait_for(pong_waiter, STEP_TIMEOUT_S)
    result["pongReceived"] = True
    return result


async def commands(ws):
    result = {}
    await ws.send("help")
    result["help"] = await receive(ws)
    await ws.send("nosuch thing")
    result["unknown"] = await receive(ws)
    await ws.send(json.dumps({"id": "7", "command": "help", "args": "help"}))
    result["envelope"] = json.loads(await receive(ws))
    return result


async def close(ws):
    await ws.close(code=4000, reason="done here")
    return {"closeCode": ws.close_code, "closeReason": ws.close_reason}


SCENARIOS = {"echo": echo, "commands": commands, "close": close}


async def main(url, scenario):
    run = SCENARIOS[scenario]
    # compression stays at the library's default (permessage-deflate offered): the gateway must decline it cleanly.
    async with websockets.connect(url, open_timeout=STEP_TIMEOUT_S, close_timeout=STEP_TIMEOUT_S, max_size=None) as ws:
        result = {"scenario": scenario, "library": websockets.__version__, "extensions": [e.name for e in ws.extensions]}
        result.update(await run(ws))
        if ws.open:
            await ws.close(code=1000, reason="bye")
            result["finalCloseCode"] = ws.close_code
    return result


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        print(f"usage: python3 client.py URL {{{'|'.join(SCENARIOS)}}}", file=sys.stderr)
        sys.exit(2)
    try:
        outcome = asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), OVERALL_TIMEOUT_S))
    except Exception as error:  # noqa: BLE001 - any failure is the test's failure, reported with its type
        print(f"scenario {sys.argv[2]} failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(outcome))
