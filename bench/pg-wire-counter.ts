import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the clients sent PostgreSQL through the counter, read off the wire. */
export interface WireCounts {
  /** Statements executed: an Execute of the extended protocol, or a simple Query. */
  statements: number;
  /** Round trips: every Sync (the end of an extended-protocol exchange) and every simple Query wait for the server. */
  roundTrips: number;
  /** Parse messages of named (prepared) statements: each is one preparation on one connection. */
  preparedParses: number;
  /** Parse messages of the unnamed statement: parsed and planned again each time. */
  unnamedParses: number;
  /** The text of every statement executed by a simple Query or parsed, in order (for the report, never logged). */
  texts: string[];
  /**
   * Every statement executed, in order, with the parameters it was bound to (text format; null for SQL NULL or a
   * binary parameter): what a test needs to EXPLAIN exactly what the server ran. Kept with `keepTexts` only;
   * the values may be personal data, so they are for tests on test data, never for a log or a report.
   */
  executed: ExecutedStatement[];
}

export interface ExecutedStatement {
  text: string;
  values: (string | null)[];
}

const empty = (): WireCounts => ({ statements: 0, roundTrips: 0, preparedParses: 0, unnamedParses: 0, texts: [], executed: [] });

/** What one client connection has parsed and bound, to tell which text an Execute runs. */
interface Session {
  /** Statement name ('' for the unnamed statement) to its text. */
  statements: Map<string, string>;
  /** Portal name ('' for the unnamed portal) to the statement bound to it. */
  portals: Map<string, ExecutedStatement>;
}

/**
 * A TCP relay in front of PostgreSQL that counts the frontend protocol messages clients send: statements
 * and round trips are counted, not estimated, and whatever the client library or ORM does is seen as the
 * server sees it. No library counts these on the wire (pg_stat_statements counts executions per server, not
 * per request, and needs a preloaded extension), hence these few lines. Point a connection string's
 * host:port at `port` and read `take()` around the requests to count.
 */
export class PgWireCounter {
  private server?: Server;
  private counts = empty();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    private readonly keepTexts = false,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((ok, fail) => {
      this.server!.once('error', fail);
      this.server!.listen(0, '127.0.0.1', () => ok());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** The counts since the last take, and a fresh start. */
  take(): WireCounts {
    const counts = this.counts;
    this.counts = empty();
    return counts;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private relay(client: Socket): void {
    const server = createConnection(this.target);
    this.sockets.add(client).add(server);
    const forget = () => {
      client.destroy();
      server.destroy();
      this.sockets.delete(client);
      this.sockets.delete(server);
    };
    client.on('error', forget).on('close', forget);
    server.on('error', forget).on('close', forget);
    server.pipe(client);
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    const session: Session = { statements: new Map(), portals: new Map() };
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!started) {
          // The startup packet (and an SSL or GSS request before it) has a length but no type byte.
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code === 196608) started = true; // protocol 3.0: typed messages from here on
          continue;
        }
        if (buffer.length < 5) return;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        this.count(String.fromCharCode(buffer[0]), buffer.subarray(5, length + 1), session);
        buffer = buffer.subarray(length + 1);
      }
    });
  }

  private count(type: string, body: Buffer, session: Session): void {
    const c = this.counts;
    if (type === 'Q') {
      c.statements++;
      c.roundTrips++;
      if (this.keepTexts) {
        const text = body.toString('utf8', 0, body.indexOf(0));
        c.texts.push(text);
        c.executed.push({ text, values: [] });
      }
    } else if (type === 'E') {
      c.statements++;
      const bound = this.keepTexts && session.portals.get(body.toString('utf8', 0, body.indexOf(0)));
      if (bound) c.executed.push(bound);
    } else if (type === 'S') {
      c.roundTrips++;
    } else if (type === 'P') {
      const nameEnd = body.indexOf(0);
      if (nameEnd > 0) c.preparedParses++;
      else c.unnamedParses++;
      if (this.keepTexts) {
        const text = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
        c.texts.push(text);
        session.statements.set(body.toString('utf8', 0, nameEnd), text);
      }
    } else if (type === 'B' && this.keepTexts) {
      session.portals.set(...bind(body, session.statements));
    }
  }
}

/**
 * A Bind message: portal name, statement name, the parameters' format codes (none: all text; one: for all;
 * else one each), the parameters (a length, -1 for NULL, and the bytes), then the results' format codes.
 */
function bind(body: Buffer, statements: Map<string, string>): [string, ExecutedStatement] {
  let at = body.indexOf(0);
  const portal = body.toString('utf8', 0, at);
  const statementEnd = body.indexOf(0, at + 1);
  const statement = body.toString('utf8', at + 1, statementEnd);
  at = statementEnd + 1;
  const formatCount = body.readInt16BE(at);
  const formats: number[] = [];
  for (let i = 0; i < formatCount; i++) formats.push(body.readInt16BE(at + 2 + 2 * i));
  at += 2 + 2 * formatCount;
  const valueCount = body.readInt16BE(at);
  at += 2;
  const values: (string | null)[] = [];
  for (let i = 0; i < valueCount; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    const binary = (formats.length === 1 ? formats[0] : (formats[i] ?? 0)) === 1;
    values.push(length < 0 || binary ? null : body.toString('utf8', at, at + length));
    if (length > 0) at += length;
  }
  return [portal, { text: statements.get(statement) ?? '', values }];
}
