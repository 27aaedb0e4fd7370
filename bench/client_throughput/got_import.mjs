// The Node reference integration of bench/client_throughput.sh: a catalogue
// import written the way the documentation of `got` (v14) and `p-limit`
// suggests. One OAuth token per PIM connection, then every line of an NDJSON
// product file upserted with PATCH /api/rest/v1/products/{identifier}, at
// most 4 requests in flight per connection (one p-limit(4) each), products
// dealt to the connections in turn. got's default retry options: limit 2;
// GET/PUT/HEAD/DELETE/OPTIONS/TRACE only (so a PATCH is never retried);
// 408, 413, 429, 500, 502, 503, 504, 521, 522, 524 and network errors;
// 2^(n-1) s + up to 100 ms of noise; Retry-After obeyed.
//
//   PIM_BASE_URL=... PIM_CLIENT_ID=... PIM_CLIENT_SECRET=... PIM_USERNAME=... \
//     PIM_PASSWORD=... node got_import.mjs PRODUCTS.ndjson
//   PIM_CONNECTIONS_FILE=conns.json node got_import.mjs PRODUCTS.ndjson --connections=3
//
// With --connections=N (default 1) the first N entries of PIM_CONNECTIONS_FILE
// (a JSON array of {"base_url", "client_id", "secret", "username",
// "password"}, as `pimsim run` writes it) are used; without the file, N must
// be 1 and the PIM_* variables name the connection. Prints one JSON summary
// line on stdout (products, applied, rejected, outcomes by status, seconds,
// products per second). Exit 0 when every product was applied, 1 when some
// were rejected, 2 on bad usage, 3 when a token could not be had.
import {readFileSync} from 'node:fs';
import got, {HTTPError, RequestError} from 'got';
import pLimit from 'p-limit';

const kInFlightPerConnection = 4;

function usage(message) {
  console.error(`got_import: ${message}`);
  console.error('usage: node got_import.mjs PRODUCTS.ndjson [--connections=N]');
  process.exit(2);
}

function env(name) {
  const value = process.env[name];
  if (!value) usage(`${name} is not set`);
  return value;
}

function parseArgs(argv) {
  let file = null;
  let connections = 1;
  for (const arg of argv) {
    const m = /^--connections=(\d+)$/.exec(arg);
    if (m) {
      connections = Number(m[1]);
      if (connections < 1) usage('--connections must be >= 1');
    } else if (arg.startsWith('--')) {
      usage(`unknown flag ${arg}`);
    } else if (file === null) {
      file = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (file === null) usage('no product file given');
  return {file, connections};
}

function credentials(count) {
  const file = process.env.PIM_CONNECTIONS_FILE;
  if (file) {
    const all = JSON.parse(readFileSync(file, 'utf8'));
    if (all.length < count) usage(`${file} has ${all.length} connections, ${count} asked`);
    return all.slice(0, count);
  }
  if (count > 1) usage('--connections > 1 needs PIM_CONNECTIONS_FILE');
  return [{
    base_url: env('PIM_BASE_URL'),
    client_id: env('PIM_CLIENT_ID'),
    secret: env('PIM_CLIENT_SECRET'),
    username: env('PIM_USERNAME'),
    password: env('PIM_PASSWORD'),
  }];
}

// One PIM connection: its base URL, a got instance carrying its token, and
// its own limiter.
async function connect(c) {
  const base = c.base_url.replace(/\/$/, '');
  const {access_token: token} = await got
    .post(`${base}/api/oauth/v1/token`, {
      headers: {authorization: `Basic ${Buffer.from(`${c.client_id}:${c.secret}`).toString('base64')}`},
      json: {grant_type: 'password', username: c.username, password: c.password},
    })
    .json();
  return {
    base,
    api: got.extend({prefixUrl: base, headers: {authorization: `Bearer ${token}`}}),
    limit: pLimit(kInFlightPerConnection),
  };
}

const {file, connections: count} = parseArgs(process.argv.slice(2));
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');

let pool;
try {
  pool = await Promise.all(credentials(count).map(connect));
} catch (error) {
  console.error(`got_import: no token: ${error.message}`);
  process.exit(3);
}

const outcomes = new Map();
let applied = 0;
const start = performance.now();
await Promise.all(lines.map((line, i) => {
  const {api, limit} = pool[i % pool.length];
  const {identifier} = JSON.parse(line);
  return limit(async () => {
    let outcome;
    try {
      const response = await api.patch(`api/rest/v1/products/${encodeURIComponent(identifier)}`, {
        headers: {'content-type': 'application/json'},
        body: line,
      });
      outcome = response.statusCode;
      applied += 1;
    } catch (error) {
      if (error instanceof HTTPError) outcome = error.response.statusCode;
      else if (error instanceof RequestError) outcome = error.code ?? error.name;
      else throw error;
    }
    outcomes.set(String(outcome), (outcomes.get(String(outcome)) ?? 0) + 1);
  });
}));
const seconds = (performance.now() - start) / 1000;

const sorted = Object.fromEntries([...outcomes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
console.log(JSON.stringify({
  client: 'got',
  connections: pool.length,
  products: lines.length,
  applied,
  rejected: lines.length - applied,
  outcomes: sorted,
  seconds: Math.round(seconds * 1000) / 1000,
  products_per_second: Math.round((lines.length / seconds) * 10) / 10,
}));
process.exit(applied === lines.length ? 0 : 1);
