import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LogSealService } from '../../src/sharing/log-seal.service';
import { LogVerifier } from '../../src/sharing/log-verifier';

/**
 * Seals every entry of both logs (waiting for transactions still open to end) and verifies each whole chain
 * from its first entry; returns each log's verification result (`intact: true` when nothing was changed).
 */
export async function sealAndVerifyLogs(app: INestApplicationContext): Promise<Record<'processing_log' | 'audit_log', unknown>> {
  const seal = app.get(LogSealService);
  const verifier = app.get(LogVerifier);
  const ds = app.get(DataSource);
  const results = {} as Record<'processing_log' | 'audit_log', unknown>;
  for (const log of ['processing_log', 'audit_log'] as const) {
    for (let i = 0; i < 100; i++) {
      await seal.sealPending(log);
      const [{ n }]: { n: number }[] = await ds.query(
        `SELECT count(*)::int AS n FROM ${log} e WHERE NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)`,
        [log],
      );
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    let result: Awaited<ReturnType<LogVerifier['run']>> = null;
    for (let i = 0; i < 100 && !result; i++) {
      result = await verifier.run(log, { full: true });
      if (!result) await new Promise((r) => setTimeout(r, 50));
    }
    results[log] = result;
  }
  return results;
}
