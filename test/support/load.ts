import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

/**
 * A cheap load generator for the load specs: HTTP/1.1 over keep-alive connections (node:http with one Agent,
 * so each client loop reuses its socket; undici's fetch costs more CPU per request in the test process, which
 * shares the machine's two cores with the processes under load) and a recorder of latencies and answers.
 */

/** What one request got: the status, or `timeout` / the socket error's code when there was no answer. */
export interface Answer {
  status: number;
  /** `String(status)`, or `timeout` / `ECONNRESET` / ... when no answer came. */
  outcome: string;
  body: string;
  ms: number;
}

export class LoadHttp {
  /** Unlimited sockets per origin: each of the concurrent clients keeps its own connection. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10_000 });

  constructor(private readonly timeoutMs: number) {}

  /** One JSON request; never rejects. Bounded by the timeout from the first byte sent to the last received. */
  send(base: string, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<Answer>((done) => {
      let settled = false;
      const finish = (status: number, outcome: string, text: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done({ status, outcome, body: text, ms: performance.now() - started });
      };
      const req = request(
        `${base}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(res.statusCode ?? 0, String(res.statusCode ?? 0), Buffer.concat(chunks).toString('utf8')));
          res.on('error', (e: NodeJS.ErrnoException) => finish(0, e.code ?? 'response_error', ''));
        },
      );
      const timer = setTimeout(() => {
        finish(0, 'timeout', '');
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => finish(0, e.code ?? 'request_error', ''));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Nearest-rank percentile of sorted values (ms). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Series {
  kind: string;
  operation: string;
  ms: number[];
  outcomes: Map<string, number>;
}

/** Latencies and outcomes per (kind, operation) for one phase of a load run. */
export class LoadRecorder {
  private readonly series = new Map<string, Series>();

  constructor(readonly phase: string) {}

  record(kind: string, operation: string, answer: Answer): void {
    const key = `${kind}\u0000${operation}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { kind, operation, ms: [], outcomes: new Map() }));
    s.ms.push(answer.ms);
    s.outcomes.set(answer.outcome, (s.outcomes.get(answer.outcome) ?? 0) + 1);
  }

  /** Every outcome and how often, over all requests (e.g. `{ '200': 9000, '201': 3000, timeout: 0 }`). */
  outcomes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.series.values()) for (const [o, n] of s.outcomes) out[o] = (out[o] ?? 0) + n;
    return out;
  }

  get requests(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.ms.length;
    return n;
  }

  /**
   * Rows for the report: per kind (all its operations together), then per operation, then all requests;
   * `seconds` is the measured duration of the phase.
   */
  rows(seconds: number): ReportRow[] {
    const all = [...this.series.values()];
    const row = (kind: string, operation: string, of: Series[]): ReportRow => {
      const ms = of.flatMap((s) => s.ms).sort((a, b) => a - b);
      const outcomes = new Map<string, number>();
      for (const s of of) for (const [o, n] of s.outcomes) outcomes.set(o, (outcomes.get(o) ?? 0) + n);
      return {
        phase: this.phase,
        kind,
        operation,
        requests: ms.length,
        perSecond: ms.length / seconds,
        p50: percentile(ms, 50),
        p95: percentile(ms, 95),
        p99: percentile(ms, 99),
        statuses: [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o}:${n}`).join(' '),
      };
    };
    const kinds = [...new Set(all.map((s) => s.kind))];
    return [
      ...kinds.flatMap((kind) => {
        const of = all.filter((s) => s.kind === kind).sort((a, b) => a.operation.localeCompare(b.operation));
        return [row(kind, '(all)', of), ...of.map((s) => row(kind, s.operation, [s]))];
      }),
      row('all', '', all),
    ];
  }
}

export interface ReportRow {
  phase: string;
  kind: string;
  operation: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: string;
}

/** The rows as one plain-text table with aligned columns. */
export function formatReport(rows: ReportRow[]): string {
  const head = ['phase', 'kind', 'operation', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'statuses'];
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(1) : v.toFixed(0));
  const cells = rows.map((r) => [r.phase, r.kind, r.operation, String(r.requests), r.perSecond.toFixed(1), ms(r.p50), ms(r.p95), ms(r.p99), r.statuses]);
  const right = new Set([3, 4, 5, 6, 7]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (right.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * CPU time (user + system, seconds) a process has used so far, from /proc (Linux; clock ticks of 1/100 s),
 * or NaN where there is no /proc.
 */
export function cpuSeconds(pid: number): number {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
