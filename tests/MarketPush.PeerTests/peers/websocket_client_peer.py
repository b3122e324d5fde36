"""Peer: Python `websocket-client` (Debian python3-websocket) with WebSocketApp.run_forever(ping_interval=...).

Started by WebsocketClientPeerTests with /usr/bin/python3. Same JSON-lines output as websockets_peer.py,
plus {"event":"ping"} for every server ping (answered by the library) and {"event":"pong"} for every pong
the server returned to the client's own run_forever pings. websocket-client offers no extensions, so the
connection must go on uncompressed.
"""
import argparse
import hashlib
import json
import sys
import threading
import time

import websocket

TEXT_ECHO_LIMIT = 600
_lock = threading.Lock()
_started = time.monotonic()


def emit(obj):
    # run_forever's ping thread and the dispatcher both call back; keep lines whole.
    # t: milliseconds since the peer started, to tell a slow peer from a late server in a failure.
    obj["t"] = round((time.monotonic() - _started) * 1000)
    with _lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--ping-interval", type=float, default=2.0)
    parser.add_argument("--ping-timeout", type=float, default=1.0)
    args = parser.parse_args()
    closed = {"seen": False}

    def on_open(ws):
        headers = ws.sock.getheaders() or {}
        emit({"event": "open", "extensions": headers.get("sec-websocket-extensions"),
              "library": "websocket-client " + websocket.__version__})

    def on_message(ws, message):
        data = message.encode("utf-8") if isinstance(message, str) else message
        event = {"event": "message", "kind": "text" if isinstance(message, str) else "binary",
                 "length": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if isinstance(message, str) and len(data) <= TEXT_ECHO_LIMIT:
            event["text"] = message
        emit(event)

    def on_ping(ws, payload):
        emit({"event": "ping", "length": len(payload)})

    def on_pong(ws, payload):
        emit({"event": "pong", "length": len(payload)})

    def on_error(ws, error):
        emit({"event": "error", "message": f"{type(error).__name__}: {error}"})

    def on_close(ws, code, reason):
        closed["seen"] = True
        emit({"event": "close", "code": code, "reason": reason})

    websocket.setdefaulttimeout(30)
    app = websocket.WebSocketApp(args.url, on_open=on_open, on_message=on_message, on_ping=on_ping,
                                 on_pong=on_pong, on_error=on_error, on_close=on_close)
    app.run_forever(ping_interval=args.ping_interval, ping_timeout=args.ping_timeout)
    return 0 if closed["seen"] else 1


if __name__ == "__main__":
    sys.exit(main())
