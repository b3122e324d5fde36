'use strict';
// A node `ws` market-data broadcast server, written the way a competent user would: one WebSocketServer, each quote
// encoded once (JSON.stringify to one Buffer) and sent to every subscriber with ws.send; a subscriber whose socket
// already buffers more than --max-buffered bytes skips updates (a bounded queue: it sees seq gaps) instead of growing
// without limit. permessage-deflate is negotiated when the client offers it, with the same 256-byte threshold as
// MarketPush's default. Same protocol subset as MarketPush: welcome, subscribe/subscribed, quotes with seq and ts, ping/pong.
// Flags: --port N --symbols N --rate R --seed S [--compression-threshold N] [--max-buffered BYTES]. Listens on 127.0.0.1.

const { WebSocketServer } = require('ws');
const { randomUUID } = require('crypto');

function parseArgs(argv) {
  const options = { port: 8080, symbols: 100, rate: 1000, seed: 1, compressionThreshold: 256, maxBuffered: 1 << 20 };
  const names = {
    '--port': 'port', '--symbols': 'symbols', '--rate': 'rate', '--seed': 'seed',
    '--compression-threshold': 'compressionThreshold', '--max-buffered': 'maxBuffered',
  };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length || Number.isNaN(Number(argv[i + 1]))) {
      console.error(`node-ws baseline: bad option ${argv[i]}`);
      process.exit(2);
    }
    options[key] = Number(argv[++i]);
  }
  options.symbols = Math.max(1, Math.floor(options.symbols));
  return options;
}

// mulberry32: a small seeded PRNG, so the same --seed gives the same walk.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const options = parseArgs(process.argv.slice(2));
const random = prng(options.seed);
const names = Array.from({ length: options.symbols }, (_, i) => 'SYM' + String(i).padStart(4, '0'));
const ids = new Map(names.map((name, id) => [name, id]));
const subscribers = names.map(() => new Set());
const mid = names.map(() => 1000 + Math.floor(random() * 49000));
const seq = names.map(() => 0);

// µs since the Unix epoch: the wall clock at start plus the monotonic clock since (no drift within a run).
const epochMicrosAtStart = Date.now() * 1000;
const hrStart = process.hrtime.bigint();
const nowMicros = () => epochMicrosAtStart + Number((process.hrtime.bigint() - hrStart) / 1000n);

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: options.port,
  path: '/v1/stream',
  perMessageDeflate: { threshold: options.compressionThreshold },
});

server.on('connection', (ws) => {
  const mine = new Set();
  const compression = Boolean(ws.extensions && ws.extensions.includes('permessage-deflate'));
  ws.send(JSON.stringify({
    type: 'welcome', session: randomUUID(), server: 'node-ws-baseline/1.0', heartbeatMs: 0, encoding: 'json', compression,
  }));

  ws.on('message', (data, isBinary) => {
    let command;
    try {
      command = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      ws.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'not a valid command' }));
      return;
    }
    const id = Number.isInteger(command.id) ? command.id : undefined;
    if (command.op === 'subscribe' && Array.isArray(command.symbols)) {
      const accepted = [];
      const rejected = [];
      for (const symbol of command.symbols) {
        const symbolId = ids.get(symbol);
        if (symbolId === undefined) {
          rejected.push({ symbol, reason: 'unknown_symbol' });
          continue;
        }
        accepted.push(symbol);
        mine.add(symbolId);
        subscribers[symbolId].add(ws);
      }
      ws.send(JSON.stringify({ type: 'subscribed', id, symbols: accepted, channels: ['quote'], rejected }));
    } else if (command.op === 'ping') {
      ws.send(JSON.stringify({ type: 'pong', id, ts: nowMicros() }));
    } else {
      ws.send(JSON.stringify({ type: 'error', id, code: 'unknown_op', message: `unknown op '${command.op}'` }));
    }
  });

  ws.on('close', () => {
    for (const symbolId of mine) subscribers[symbolId].delete(ws);
  });
  ws.on('error', () => {});
});

let next = 0;
function emit() {
  const symbol = next;
  next = (next + 1) % names.length;
  mid[symbol] = Math.max(100, mid[symbol] + Math.floor(random() * 3) - 1);
  // Integer cents ÷ 100 prints as the exact decimal (189.21), never binary-float noise.
  const message = Buffer.from(JSON.stringify({
    type: 'quote',
    symbol: names[symbol],
    seq: ++seq[symbol],
    ts: nowMicros(),
    bid: (mid[symbol] - 1) / 100,
    bidSize: (1 + Math.floor(random() * 9)) * 100,
    ask: (mid[symbol] + 1) / 100,
    askSize: (1 + Math.floor(random() * 9)) * 100,
  }));
  for (const ws of subscribers[symbol]) {
    if (ws.readyState === 1 && ws.bufferedAmount <= options.maxBuffered) {
      ws.send(message, { binary: false });
    }
  }
}

// Open loop: every millisecond, emit what the clock says is due (at most one second of backlog is caught up). One
// tick never runs longer than 5 ms, so that a saturated server still gets to accept connections and read commands
// (never block the event loop: the first rule of node servers); the next tick picks up the rest.
if (options.rate > 0) {
  const started = process.hrtime.bigint();
  let emitted = 0;
  setInterval(() => {
    const tickStart = process.hrtime.bigint();
    const due = Math.floor(Number(tickStart - started) / 1e9 * options.rate);
    if (due - emitted > options.rate) emitted = due - Math.floor(options.rate);
    while (emitted < due) {
      emit();
      emitted++;
      if ((emitted & 15) === 0 && process.hrtime.bigint() - tickStart > 5_000_000n) break;
    }
  }, 1);
}

server.on('listening', () => {
  console.log(`node-ws baseline on ws://127.0.0.1:${options.port}/v1/stream: ${options.symbols} symbols, ${options.rate} quotes/s`);
});
const stop = () => {
  for (const ws of server.clients) ws.close(1001, 'server shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
