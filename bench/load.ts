import { Agent, request } from 'node:http';

/** Latency figures of one series, in milliseconds (exact percentiles of every request, not a histogram's). */
export interface Latency {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const round = (ms: number) => Math.round(ms * 100) / 100;

function summarise(samples: number[], errors: number, statuses: Record<string, number>): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: samples.length,
    errors,
    statuses,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** One GET over a kept-alive connection of `agent`; resolves with the status and the milliseconds it took. */
function get(agent: Agent, base: URL, path: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((ok, fail) => {
    const req = request({ agent, host: base.hostname, port: base.port, path, method: 'GET', headers, timeout: 30_000 }, (res) => {
      res.resume();
      res.once('end', () => ok({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', fail);
    req.end();
  });
}

/**
 * Latency at a fixed request rate, open loop: a request is sent every 1/rate seconds whether or not the
 * previous ones have answered (so a slow answer does not lower the load it is measured under), over up to
 * `connections` kept-alive connections. `paths` are taken in turn.
 */
export async function atFixedRate(baseUrl: string, paths: string[], headers: Record<string, string>, rate: number, seconds: number, connections = 16): Promise<Latency> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      get(agent, base, paths[i % paths.length], headers).then(
        ({ status, ms }) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) samples.push(ms);
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return summarise(samples, errors, statuses);
}

/** Latency at one connection: each request sent when the previous one has answered. */
export async function sequential(baseUrl: string, paths: string[], headers: Record<string, string>, seconds: number, maxRequests = Infinity): Promise<Latency> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < until && i < maxRequests; i++) {
    try {
      const { status, ms } = await get(agent, base, paths[i % paths.length], headers);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) samples.push(ms);
    } catch {
      errors++;
    }
  }
  agent.destroy();
  return summarise(samples, errors, statuses);
}
