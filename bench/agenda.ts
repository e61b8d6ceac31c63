import type { WireCounts } from './pg-wire-counter';

export interface AgendaScenarioInput {
  /** The application measured for latency (its database connections direct, not through a counter). */
  appUrl: string;
  /** A bearer token of the chair of the meeting's table. */
  token: string;
  /** A planned meeting of that table: drafted again by every request. */
  meetingId: string;
  /** Measured requests, one at a time (one connection); 200 by default. */
  requests?: number;
  /** Requests before measuring (connections opened, statements prepared, caches warm); 20 by default. */
  warmup?: number;
  /**
   * An application on the same database whose connections go through a PgWireCounter, and its `take`: the
   * statements and round trips of one draft are counted on the wire there. Without it they are not counted.
   */
  counted?: { appUrl: string; take: () => WireCounts };
  /** What the table holds, for the report (e.g. "500 open cases, 20,000 incidents"). */
  load?: string;
  /**
   * Run before every request, outside the measured time: e.g. take the meeting's items off again, so that
   * each request is a first draft (every item inserted) rather than a re-draft. Described by `variant`.
   */
  before?: () => Promise<void>;
  /** What is measured, for the report; "re-draft" by default (every request drafts the meeting drafted before). */
  variant?: string;
}

export interface AgendaScenarioResult {
  variant: string;
  requests: number;
  /** Items on the drafted agenda (the answer's `itemCount`). */
  itemCount: number;
  latencyMs: { mean: number; p50: number; p95: number; p99: number; max: number };
  /** Per draft request, counted on the wire (the fewest of three requests); absent without `counted`. */
  wire?: Omit<WireCounts, 'texts' | 'executed'>;
  markdown: string;
}

const PATH = (meetingId: string) => `/api/v1/meetings/${meetingId}/agenda/_draft`;

async function draft(appUrl: string, token: string, meetingId: string): Promise<{ itemCount: number }> {
  const res = await fetch(appUrl + PATH(meetingId), { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`POST ${PATH(meetingId)} answered ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as { itemCount: number };
}

/** The nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const ms = (n: number) => n.toFixed(1);

/**
 * The draft agenda (`POST /meetings/:id/agenda/_draft`, DOMAIN.md section 4.3) through the whole application,
 * as the chair, at one connection: each request waits for the previous one. Every request drafts the same
 * planned meeting: as a re-draft (a chair who drafts again after a late push), or with `before` taking the
 * items off again, as a first draft. The cases' reasons are read, the items written, both logs written (one
 * processing entry per person on the agenda) and the event raised.
 * Latency from the client's side (fetch to the last byte); statements and round trips counted on the wire.
 */
export async function agendaScenario(input: AgendaScenarioInput): Promise<AgendaScenarioResult> {
  const { appUrl, token, meetingId, requests = 200, warmup = 20, counted, load, before = async () => {}, variant = 're-draft' } = input;
  let itemCount = 0;
  for (let i = 0; i < warmup; i++) {
    await before();
    itemCount = (await draft(appUrl, token, meetingId)).itemCount;
  }
  const durations: number[] = [];
  for (let i = 0; i < requests; i++) {
    await before();
    const started = performance.now();
    itemCount = (await draft(appUrl, token, meetingId)).itemCount;
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const latencyMs = {
    mean: durations.reduce((a, b) => a + b, 0) / durations.length,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
    max: durations[durations.length - 1],
  };

  let wire: AgendaScenarioResult['wire'];
  if (counted) {
    // The first request on the counted app prepares its statements; then the fewest of three, since a
    // background statement (a relay, a health check) can only add to a request's count.
    await before();
    await draft(counted.appUrl, token, meetingId);
    const runs: WireCounts[] = [];
    for (let i = 0; i < 3; i++) {
      await before();
      counted.take();
      await draft(counted.appUrl, token, meetingId);
      runs.push(counted.take());
    }
    const { texts: _texts, executed: _executed, ...fewest } = runs.reduce((a, b) => (b.statements < a.statements ? b : a));
    wire = fewest;
  }

  const markdown = [
    `Draft agenda, ${variant}: \`POST /api/v1/meetings/:id/agenda/_draft\` as the chair${load ? ` of a table with ${load}` : ''}; ` +
      `${itemCount} items on the agenda. One connection, ${requests} requests after ${warmup} of warm-up; the latency of one request ` +
      `from the client's side. Statements and round trips per request counted on the wire (bench/pg-wire-counter.ts).`,
    '',
    '| requests | items | mean (ms) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | statements | round trips | unnamed parses |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${requests} | ${itemCount} | ${ms(latencyMs.mean)} | ${ms(latencyMs.p50)} | ${ms(latencyMs.p95)} | ${ms(latencyMs.p99)} | ${ms(latencyMs.max)} | ` +
      `${wire?.statements ?? '–'} | ${wire?.roundTrips ?? '–'} | ${wire?.unnamedParses ?? '–'} |`,
  ].join('\n');
  return { variant, requests, itemCount, latencyMs, wire, markdown };
}
