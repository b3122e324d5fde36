"""Peer: Python `websockets` (Debian python3-websockets) against a MarketPush server.

Started by WebsocketsPeerTests with /usr/bin/python3 (never the pyenv python on PATH). Prints one JSON
object per line on stdout for everything it sees, which the C# test asserts:
  {"event":"open","extensions":...}        negotiated Sec-WebSocket-Extensions (null when none)
  {"event":"message","kind":"text",...}    UTF-8 length, sha256 and (short ones) the text
  {"event":"close","code":...,"reason":...} close code the server sent (or echoed)
Pings are answered by the library itself; the test proves it by the server not closing with 4002.

Debian 12 ships websockets 10.4, which has only the asyncio client (the sync client arrived in 11),
so this uses `websockets.connect` in asyncio; the attribute fallbacks keep it working on newer versions.
"""
import argparse
import asyncio
import hashlib
import json
import sys
import time

import websockets

TEXT_ECHO_LIMIT = 600
_started = time.monotonic()


def emit(obj):
    # t: milliseconds since the peer started, to tell a slow peer from a late server in a failure.
    obj["t"] = round((time.monotonic() - _started) * 1000)
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def describe(message):
    if isinstance(message, str):
        data = message.encode("utf-8")
        event = {"event": "message", "kind": "text", "length": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()}
        if len(data) <= TEXT_ECHO_LIMIT:
            event["text"] = message
        return event
    return {"event": "message", "kind": "binary", "length": len(message),
            "sha256": hashlib.sha256(message).hexdigest()}


def response_headers(ws):
    # 10.x-13.x legacy protocol: response_headers; 14+ new asyncio client: response.headers.
    headers = getattr(ws, "response_headers", None)
    if headers is None:
        headers = ws.response.headers
    return headers


async def run(args):
    compression = None if args.compression == "none" else "deflate"
    # ping_interval=None: the client sends no pings of its own, so only the server's heartbeat pings
    # (answered automatically by the library) keep the connection alive.
    async with websockets.connect(args.url, compression=compression, ping_interval=None,
                                  max_size=1 << 20, open_timeout=10, close_timeout=10) as ws:
        emit({"event": "open",
              "extensions": response_headers(ws).get("Sec-WebSocket-Extensions"),
              "library": "websockets " + websockets.__version__})
        try:
            async for message in ws:
                emit(describe(message))
                if args.close_on is not None and message == args.close_on:
                    await ws.close(code=1000, reason="peer done")
        except websockets.exceptions.ConnectionClosed:
            pass
        emit({"event": "close", "code": ws.close_code, "reason": ws.close_reason})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--compression", choices=["deflate", "none"], default="deflate")
    parser.add_argument("--close-on", default=None,
                        help="close with 1000 after receiving a text message equal to this")
    args = parser.parse_args()
    try:
        asyncio.run(asyncio.wait_for(run(args), timeout=60))
    except Exception as e:  # reported as a line so the C# assertion message shows it
        emit({"event": "error", "message": f"{type(e).__name__}: {e}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
