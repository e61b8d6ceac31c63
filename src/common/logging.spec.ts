import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { loadConfig } from '../config/app-config';
import type { Logger } from 'nestjs-pino';
import { AppLogger, incomingTraceId, logFormat, loggerOptions, redactPath } from './logging';

describe('request log paths', () => {
  it('never hold a calendar-feed token', () => {
    expect(redactPath('/api/v1/calendar-feeds/s3cr3t-t0ken/events')).toBe('/api/v1/calendar-feeds/[redacted]/events');
    expect(redactPath('/api/v1/cases/123')).toBe('/api/v1/cases/123');
  });
});

describe('request logs', () => {
  it('carry the request id on every line, the request line and what the application logs while handling it', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'info', JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://u@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379' });
    const { stream: _destination, ...options } = loggerOptions(config).pinoHttp as Record<string, unknown>;
    void _destination;
    const middleware = pinoHttp({ ...options, stream } as unknown as Parameters<typeof pinoHttp>[0]);
    const server = createServer((req, res) => {
      middleware(req, res);
      req.log.info('inside the handler');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await fetch(`http://127.0.0.1:${port}/api/v1/cases`, { headers: { 'X-Request-Id': 'trace-0123456789' } });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      server.close();
    }
    expect(lines.map((l) => l.msg)).toEqual(['inside the handler', 'request completed']);
    for (const line of lines) expect(line.traceId).toBe('trace-0123456789');
  });

  it('take the trace id of a well-formed W3C traceparent only', () => {
    expect(incomingTraceId('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(incomingTraceId('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(incomingTraceId('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(incomingTraceId('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(incomingTraceId(undefined)).toBeUndefined();
  });
});

describe('log format', () => {
  const config = (env: Record<string, string>) => loadConfig({ JWT_SECRET: 'x'.repeat(40), ...env });

  it('is pretty on a terminal outside production, JSON otherwise, and LOG_FORMAT decides when set', () => {
    expect(logFormat(config({ NODE_ENV: 'development' }), true)).toBe('pretty');
    expect(logFormat(config({ NODE_ENV: 'development' }), false)).toBe('json');
    expect(logFormat(config({ NODE_ENV: 'production', HOST: '0.0.0.0', PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40) }), true)).toBe('json');
    expect(logFormat(config({ NODE_ENV: 'development', LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormat(config({ NODE_ENV: 'development', LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
  });
});

describe('the Nest logger', () => {
  it("logs Nest's start-up wiring at debug and everything else at its own level", () => {
    const calls: [string, unknown[]][] = [];
    const record = (level: string) => (...args: unknown[]) => calls.push([level, args]);
    const pino = { log: record('info'), debug: record('debug'), warn: record('warn'), error: record('error'), verbose: record('verbose'), fatal: record('fatal') };
    const sut = new AppLogger(pino as unknown as Logger);
    sut.log('Mapped {/api/v1/cases, GET} route', 'RouterExplorer');
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    sut.log('demo seeded', 'Main');
    sut.warn('cannot reach Redis', 'Redis');
    expect(calls.map(([level, args]) => [level, args[0]])).toEqual([
      ['debug', 'Mapped {/api/v1/cases, GET} route'],
      ['debug', 'AppModule dependencies initialized'],
      ['info', 'demo seeded'],
      ['warn', 'cannot reach Redis'],
    ]);
  });
});
