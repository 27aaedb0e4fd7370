// axios with axios-retry v4 as an Akeneo integration, with axios-retry's
// defaults: retries 3, no delay (Retry-After obeyed), retryCondition
// isNetworkOrIdempotentRequestError: a network error on any method, or a
// 429/5xx on GET/HEAD/OPTIONS/PUT/DELETE.
//
//   PIM_BASE_URL=... PIM_CLIENT_ID=... node axios_client.mjs unique|repeat
//
// Prints one JSON summary line on stdout; exit 0 when the plan ran, whatever
// the operations' outcomes.
import axios from 'axios';
import axiosRetry from 'axios-retry';
import {env, loadPlan, runPlan, summaryLine, tokenRequest} from './plan_runner.mjs';

const plan = loadPlan(process.argv[2]);
const base = env('PIM_BASE_URL').replace(/\/$/, '');

const client = axios.create();
axiosRetry(client);

const t = tokenRequest();
const {data} = await client.post(t.url, t.body, {
  headers: {Authorization: `Basic ${t.basic}`, 'Content-Type': 'application/json'},
});
const bearer = `Bearer ${data.access_token}`;

const {outcomes, seconds} = await runPlan(plan, async (op) => {
  const config = {method: op.method, url: base + op.path, headers: {Authorization: bearer}};
  if (op.body !== null) {
    config.data = op.body;
    config.headers['Content-Type'] = 'application/json';
  }
  try {
    const response = await client.request(config);
    return response.status;
  } catch (error) {
    if (error.response) return error.response.status;
    if (axios.isAxiosError(error)) return error.code ?? error.message;
    throw error;
  }
});
console.log(summaryLine('axios-retry', plan.workload, outcomes, seconds));
