// The Node side of workload.py: loads a workload's plan (from
// `python3 workload.py NAME`, so the plan is written once) and runs it in
// lanes with the same pacing as workload.run_plan: operations start in plan
// order, none before its time, none within min_spacing_s of the previous
// start, at most `lanes` in flight.
//
//   const plan = loadPlan(process.argv[2]);
//   const {outcomes, seconds} = await runPlan(plan, async (op) => status);
//   console.log(summaryLine('got', plan.workload, outcomes, seconds));
import {execFileSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {setTimeout as sleep} from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));

export function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

export function loadPlan(name) {
  const out = execFileSync('python3', [join(here, 'workload.py'), String(name)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}

// The token request of the README's "Try it", made with the client under test.
export function tokenRequest() {
  return {
    url: env('PIM_BASE_URL').replace(/\/$/, '') + '/api/oauth/v1/token',
    basic: Buffer.from(`${env('PIM_CLIENT_ID')}:${env('PIM_CLIENT_SECRET')}`).toString('base64'),
    body: JSON.stringify({
      grant_type: 'password',
      username: env('PIM_USERNAME'),
      password: env('PIM_PASSWORD'),
    }),
  };
}

export async function runPlan(plan, send) {
  const outcomes = new Map();
  const start = performance.now();
  let next = 0;
  let lastStart = -Infinity;
  async function lane() {
    while (next < plan.ops.length) {
      const op = plan.ops[next++];
      const t = Math.max(start + op.at * 1000, lastStart + plan.min_spacing_s * 1000);
      lastStart = t;
      const delay = t - performance.now();
      if (delay > 0) await sleep(delay);
      const outcome = String(await send(op));
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({length: plan.lanes}, lane));
  return {outcomes, seconds: (performance.now() - start) / 1000};
}

// The last line every client prints (workload.summary_line's format).
export function summaryLine(client, workload, outcomes, seconds) {
  const sorted = Object.fromEntries([...outcomes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let ops = 0;
  for (const n of outcomes.values()) ops += n;
  return JSON.stringify({client, ops, outcomes: sorted, seconds: Math.round(seconds * 1000) / 1000, workload});
}
