#!/usr/bin/env python3
"""Opens N idle WebSocket connections to a MarketPush server on 127.0.0.1 and holds them.

Used by idle-memory.sh to measure server RSS per idle upgraded connection. It speaks just enough
RFC 6455 over raw asyncio streams (no client library) so that 8,000 connections stay cheap for the
client: handshake, read the welcome message, answer server pings with masked pongs, and optionally
subscribe to symbols. Prints progress to stderr and one JSON line with the result to stdout.
"""
import argparse
import asyncio
import base64
import json
import os
import struct
import sys
import time


def masked_frame(opcode: int, payload: bytes) -> bytes:
    key = os.urandom(4)
    header = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", n)
    body = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    return header + key + body


async def read_frame(reader: asyncio.StreamReader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    return b0 & 0x0F, await reader.readexactly(n)


class Connection:
    def __init__(self):
        self.open = False
        self.close_code = None


async def hold(host, port, symbols, ready: asyncio.Event, conn: Connection, stop: asyncio.Event):
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    status = await reader.readuntil(b"\r\n\r\n")
    if not status.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(status.split(b"\r\n", 1)[0].decode())
    opcode, payload = await read_frame(reader)
    if b'"welcome"' not in payload and b"welcome" not in payload:
        raise RuntimeError("first message was not welcome")
    if symbols:
        writer.write(masked_frame(1, json.dumps({"op": "subscribe", "id": 1, "symbols": symbols}).encode()))
    conn.open = True
    ready.set()
    stop_task = asyncio.ensure_future(stop.wait())
    try:
        while True:
            read_task = asyncio.ensure_future(read_frame(reader))
            done, _ = await asyncio.wait({read_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            if stop_task in done:
                read_task.cancel()
                writer.write(masked_frame(8, struct.pack("!H", 1000)))
                await writer.drain()
                break
            opcode, payload = read_task.result()
            if opcode == 9:
                writer.write(masked_frame(10, payload))
            elif opcode == 8:
                conn.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                break
    finally:
        conn.open = False
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=8000)
    parser.add_argument("--symbols", default="", help="comma-separated symbols each connection subscribes to")
    parser.add_argument("--hold-command", default="", help="shell command to run while all connections are open")
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    if args.host != "127.0.0.1":
        sys.exit("idle_connections.py only targets 127.0.0.1")
    symbols = [s for s in args.symbols.split(",") if s]
    stop = asyncio.Event()
    conns, tasks = [], []
    started = time.monotonic()
    for i in range(0, args.connections, args.batch):
        events = []
        for _ in range(min(args.batch, args.connections - i)):
            conn, ready = Connection(), asyncio.Event()
            conns.append(conn)
            events.append(ready)
            tasks.append(asyncio.ensure_future(hold(args.host, args.port, symbols, ready, conn, stop)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout=60)
        print(f"\ropen {len(conns)}/{args.connections}", end="", file=sys.stderr, flush=True)
    setup_s = time.monotonic() - started
    print(file=sys.stderr)
    hold_output = ""
    if args.hold_command:
        proc = await asyncio.create_subprocess_shell(args.hold_command, stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        hold_output = out.decode().strip()
    still_open = sum(1 for c in conns if c.open)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=60)
    print(json.dumps({"connections": args.connections, "open_during_hold": still_open,
                      "setup_seconds": round(setup_s, 2), "hold_output": hold_output}))


if __name__ == "__main__":
    asyncio.run(main())
