// Peer: node `ws` (tests/peers/node/node_modules) with perMessageDeflate, against a MarketPush server.
//
// Started by NodeWsPeerTests with NODE_PATH pointing at tests/peers/node/node_modules. Prints one JSON object
// per line on stdout: open (negotiated extensions from the 101 response), message (byte length, sha256 of
// the exact bytes received, short texts verbatim), ping (each server ping; ws answers it itself), close.
'use strict';
const crypto = require('node:crypto');
const WebSocket = require('ws');

const TEXT_ECHO_LIMIT = 600;

const started = process.hrtime.bigint();

function emit(obj) {
  // t: milliseconds since the peer started, to tell a slow peer from a late server in a failure.
  obj.t = Number((process.hrtime.bigint() - started) / 1000000n);
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function parseArgs(argv) {
  const args = { url: undefined, closeOn: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--close-on') args.closeOn = argv[++i];
    else if (args.url === undefined) args.url = argv[i];
    else throw new Error('unexpected argument ' + argv[i]);
  }
  if (!args.url) throw new Error('usage: ws_peer.js URL [--close-on TEXT]');
  return args;
}

const args = parseArgs(process.argv.slice(2));
const ws = new WebSocket(args.url, { perMessageDeflate: true, handshakeTimeout: 10000, maxPayload: 1 << 20 });
let responseExtensions = null;

ws.on('upgrade', (res) => {
  responseExtensions = res.headers['sec-websocket-extensions'] ?? null;
});
ws.on('open', () => {
  emit({ event: 'open', extensions: responseExtensions, negotiated: ws.extensions,
         library: 'ws ' + require('ws/package.json').version });
});
ws.on('message', (data, isBinary) => {
  const buf = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
  const evt = { event: 'message', kind: isBinary ? 'binary' : 'text', length: buf.length,
                sha256: crypto.createHash('sha256').update(buf).digest('hex') };
  const text = isBinary ? undefined : buf.toString('utf8');
  if (!isBinary && buf.length <= TEXT_ECHO_LIMIT) evt.text = text;
  emit(evt);
  if (!isBinary && args.closeOn !== undefined && text === args.closeOn) ws.close(1000, 'peer done');
});
ws.on('ping', (payload) => emit({ event: 'ping', length: payload.length }));
ws.on('error', (err) => emit({ event: 'error', message: String(err && err.stack || err) }));
ws.on('close', (code, reason) => {
  emit({ event: 'close', code, reason: reason.toString('utf8') });
  process.exitCode = 0;
});

// Hard stop so a hung connection cannot outlive the test even if the test host forgets to kill it.
setTimeout(() => { emit({ event: 'error', message: 'peer timeout' }); process.exit(2); }, 60000).unref();
