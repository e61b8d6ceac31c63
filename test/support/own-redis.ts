import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A Redis server of the test's own, on a free port, keeping nothing on disk: a test that needs Redis to
 * fail stops this one, never the shared server on 6379.
 */
export class OwnRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    /** `requirepass` of the server: clients must AUTH with it. */
    readonly password?: string,
  ) {}

  static async start(options: { port?: number; password?: string } = {}): Promise<OwnRedis> {
    const redis = new OwnRedis(options.port ?? (await freePort()), options.password);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port, empty. */
  async start(): Promise<void> {
    if (this.child) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'];
    const child = spawn('redis-server', this.password ? [...args, '--requirepass', this.password] : args, {
      stdio: 'ignore',
    });
    this.child = child;
    // Never outlive the test process, even when a test fails before stopping it.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('exit', () => {
      process.removeListener('exit', kill);
      if (this.child === child) this.child = undefined;
    });
    const until = Date.now() + 5000;
    for (;;) {
      try {
        await this.command('PING');
        return;
      } catch (e) {
        if (Date.now() > until) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Stops the server (SIGKILL: like a crash, nothing is flushed or announced) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** One command on a short-lived connection of its own. */
  async command(name: string, ...args: (string | number)[]): Promise<unknown> {
    const client = new Redis({ port: this.port, host: '127.0.0.1', password: this.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(name, ...args);
    } finally {
      client.disconnect();
    }
  }
}
