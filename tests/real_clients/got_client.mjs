// Node's `got` (v14) as an Akeneo integration, with got's default retry
// options: limit 2; GET/PUT/HEAD/DELETE/OPTIONS/TRACE only; 408, 413, 429,
// 500, 502, 503, 504, 521, 522, 524 and network errors (ECONNRESET ...);
// 2^(n-1) s + up to 100 ms of noise; Retry-After obeyed.
//
//   PIM_BASE_URL=... PIM_CLIENT_ID=... node got_client.mjs unique|repeat
//
// Prints one JSON summary line on stdout; exit 0 when the plan ran, whatever
// the operations' outcomes.
import got, {HTTPError, RequestError} from 'got';
import {env, loadPlan, runPlan, summaryLine, tokenRequest} from './plan_runner.mjs';

const plan = loadPlan(process.argv[2]);
const base = env('PIM_BASE_URL').replace(/\/$/, '');

const t = tokenRequest();
const {access_token: token} = await got
  .post(t.url, {headers: {authorization: `Basic ${t.basic}`, 'content-type': 'application/json'}, body: t.body})
  .json();

const api = got.extend({headers: {authorization: `Bearer ${token}`}});

const {outcomes, seconds} = await runPlan(plan, async (op) => {
  const options = {method: op.method};
  if (op.body !== null) {
    options.body = op.body;
    options.headers = {'content-type': 'application/json'};
  }
  try {
    const response = await api(base + op.path, options);
    return response.statusCode;
  } catch (error) {
    if (error instanceof HTTPError) return error.response.statusCode;
    if (error instanceof RequestError) return error.code ?? error.name;
    throw error;
  }
});
console.log(summaryLine('got', plan.workload, outcomes, seconds));
