import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * One injectable Clock (src/common/clock.ts) is the only source of "now" in src/, so that a test can move
 * time and everything follows. This guard parses every source file (comments and strings are not code, so
 * they never count) and fails on:
 * - reading the real time in TypeScript: `new Date()` without arguments, `Date()`, or `Date.now`;
 * - the database's `now()` in an SQL string, which does not move with the Clock: SQL that decides a domain
 *   fact takes the Clock's instant as a parameter instead.
 * Each place where the real time is right is listed below with its exact number of occurrences and the
 * reason; a new occurrence there fails too, as does an entry that no longer matches (the list stays true).
 */

const SRC = join(__dirname, '..', 'src');

/** `new Date()`, `Date()` and `Date.now` in TypeScript, the real time. */
const REAL_TIME_ALLOWED: Record<string, { count: number; why: string }> = {
  'common/clock.ts': { count: 2, why: 'The Clock itself, and validatorNow() before any Clock is constructed.' },
  'common/redis.ts': { count: 1, why: 'Throttles repeated connection-error log lines: elapsed time, not a domain fact.' },
  'auth/rate-limit-store.ts': { count: 8, why: 'Rate-limit windows and the retry timer while Redis is down: elapsed time.' },
  'auth/token.service.ts': {
    count: 1,
    why: 'The JWT `ims` claim: iat/exp are set and checked by the JWT library against the real time, and ims is compared with them.',
  },
  'auth/revocation.service.ts': {
    count: 3,
    why: 'Revocations are compared with JWT issue times (real time, set by the library), and pruned after the token lifetime.',
  },
  'auth/auth.service.ts': {
    count: 4,
    why: 'Refresh-session expiry, refresh-token use and password changes: credential lifetimes run on the real time, like the JWTs they issue.',
  },
  'users/user.service.ts': {
    count: 3,
    why: "Invite expiry (checked in SQL against the database's now()), password change and disabling: credential lifecycle, real time.",
  },
  'auth/api-client.service.ts': { count: 1, why: 'Disabling a partner system, with its token revocation: credential lifecycle, real time.' },
  'webhooks/webhook-dispatcher.service.ts': {
    count: 1,
    why: 'The signed `webhook-timestamp` of an attempt: a credential the receiver checks against its own (real) clock to refuse replays.',
  },
  'cli/create-admin.ts': { count: 2, why: 'A command-line tool with no application (no Clock): password and invite stamps of the first admin.' },
  'health/operations-gauges.ts': { count: 1, why: "Age of a queue's oldest waiting job against BullMQ's own job timestamps, which are the real time: elapsed time." },
};

/** `now()` in SQL strings, the database's real time. `updated_at = now()` is bookkeeping and always allowed. */
const SQL_NOW_ALLOWED: Record<string, { count: number; why: string }> = {
  'jobs/maintenance.processor.ts': { count: 2, why: 'Deletes expired and revoked auth sessions: credentials, real time.' },
  'auth/revocation.service.ts': { count: 3, why: 'Session and client-token revocation, compared with JWT issue times.' },
  'auth/auth.service.ts': { count: 2, why: 'Accepting an invite: its expiry and the password change are credential lifecycle.' },
  'meetings/calendar/calendar.service.ts': { count: 1, why: 'Revoking a calendar-feed token: a credential.' },
  'tables/membership.service.ts': { count: 2, why: "Membership history (ended_at): records when a seat changed; the replacing row's started_at DEFAULT now() must equal it." },
  'tables/member-organisation.service.ts': { count: 2, why: 'Membership history (left_at, ended_at) of an organisation leaving the table, as above.' },
  'sharing/log-verification.repository.ts': { count: 3, why: "The log verifier's own progress stamps: operations bookkeeping, not a domain fact." },
  'health/outbox-lag.ts': { count: 2, why: "Outbox lag: elapsed time since domain_event.occurred_at, which its DEFAULT now() writes from the database's clock." },
};

export interface Finding {
  line: number;
  text: string;
}

const isDate = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'Date';

/** Reads of the real time in one TypeScript source: `new Date()` (no arguments), `Date()`, `Date.now`. */
export function realTimeReads(source: string): Finding[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const found: Finding[] = [];
  const visit = (node: ts.Node) => {
    const hit =
      (ts.isNewExpression(node) && isDate(node.expression) && !node.arguments?.length) ||
      (ts.isCallExpression(node) && isDate(node.expression)) ||
      (ts.isPropertyAccessExpression(node) && isDate(node.expression) && node.name.text === 'now');
    if (hit) found.push({ line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const SQL_NOW = /\bnow\(\)/gi;
const BOOKKEEPING = /\bupdated_at\s*=\s*now\(\)/gi;

/** The database's `now()` in string and template literals (SQL), apart from `updated_at = now()`. */
export function sqlNowReads(source: string): Finding[] {
  const file = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const found: Finding[] = [];
  const check = (node: ts.Node, text: string) => {
    const n = (text.match(SQL_NOW)?.length ?? 0) - (text.match(BOOKKEEPING)?.length ?? 0);
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    for (let i = 0; i < n; i++) found.push({ line, text: text.trim().split('\n')[0].slice(0, 120) });
  };
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) check(node, node.text);
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) check(node, node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    // Unit specs kept next to the code are tests, not the application.
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Per file, the findings that the allow-list does not account for (or an entry that no longer matches). */
function violations(scan: (source: string) => Finding[], allowed: Record<string, { count: number }>): string[] {
  const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }));
  const out: string[] = [];
  for (const f of files) {
    const found = scan(f.text);
    const expected = allowed[f.path]?.count ?? 0;
    if (found.length !== expected) {
      out.push(`src/${f.path}: ${found.length} found, ${expected} allowed: ${found.map((x) => `line ${x.line} ${x.text}`).join('; ')}`);
    }
  }
  for (const path of Object.keys(allowed)) if (!files.some((f) => f.path === path)) out.push(`src/${path}: allowed, but there is no such file`);
  return out;
}

describe('the one clock', () => {
  it('finds every way of reading the real time, and nothing else (the guard works)', () => {
    const source = [
      'const a = new Date();',
      'const b = new Date;',
      'const c = Date.now() + 1;',
      'const d = Date();',
      'const e = [1].map(Date.now);',
      'const f = new Date(0); const g = new Date(a.getTime()); const h = Date.parse("2026-01-01"); const i = Date.UTC(2026, 0, 1);',
      '// new Date() in a comment',
      'const j = "Date.now() in a string";',
    ].join('\n');
    expect(realTimeReads(source).map((f) => [f.line, f.text])).toEqual([
      [1, 'new Date()'],
      [2, 'new Date'],
      [3, 'Date.now'],
      [4, 'Date()'],
      [5, 'Date.now'],
    ]);
  });

  it("finds the database's now() in SQL strings, apart from updated_at bookkeeping (the guard works)", () => {
    const source = [
      'q(`SELECT 1 FROM meeting WHERE scheduled_at > now() AND x = ${y} AND z < NOW()`);',
      "q('UPDATE a SET updated_at = now() WHERE id = $1');",
      '// now() in a comment',
      'q(`UPDATE b SET done_at = now(), updated_at = now()`);',
    ].join('\n');
    expect(sqlNowReads(source).map((f) => f.line)).toEqual([1, 1, 4]);
  });

  it('reads the real time in src/ only through the Clock and the allow-list', () => {
    expect(violations(realTimeReads, REAL_TIME_ALLOWED)).toEqual([]);
  });

  it("uses the database's now() in src/ only for bookkeeping and the allow-list", () => {
    expect(violations(sqlNowReads, SQL_NOW_ALLOWED)).toEqual([]);
  });
});
