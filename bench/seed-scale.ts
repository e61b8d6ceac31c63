import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { CASE_LIST_KEY_BACKFILL, CASE_LIST_KEY_TRIGGERS } from '../migrations/1766000200000-add-case-sort-keys';
import { hashPassword } from '../src/auth/password';
import { ESCALATION_TRACKS } from '../src/escalations/escalation.entity';
import { DEFAULT_ESCALATION_RULES } from '../src/escalations/escalation-rule.entity';
import { MEASURE_CATALOGUE } from '../src/cases/measure-catalogue';
import { addWorkingDays, amsterdamDate } from '../src/common/working-days';
import { loadConfig } from '../src/config/app-config';
import { DEMO_PASSWORD } from '../src/db/demo-seed';
import { amsterdamHour } from '../src/db/demo-meetings-seed';
import { occurrences } from '../src/meetings/cadence';
import { CATEGORIES, DEFAULT_LEGAL_BASIS, DEFAULT_MATRIX } from '../src/sharing/categories';
import { defaultGrants } from '../src/tables/covenant-writer';
import { ACTIVITY_PURPOSES, activityName, defaultDataSubjects } from '../src/tables/register-entries';

/**
 * Scale data (issue 11, item 1): years of cases at many tables, loaded set-based (INSERT ... SELECT over
 * generate_series) in one transaction, so that the benchmark and anyone else can measure the application at a
 * million cases. Used by `npm run seed:scale` (seed-scale-cli.ts) and by the benchmark, on a database that has
 * the migrations and usually the demo seed; the demo's table (LKO Harderwijk) then gets its share of the cases,
 * so the demo chair lists and reads them at scale.
 *
 * Deterministic: every id is md5(seed, kind, row number) shaped as a version-4 uuid, and every pseudo-random
 * choice is read from a sha256 of the seed and row number as well (never random(), which depends on the order
 * rows are produced). The same seed and `now` give the same rows, ids included; only the password hash (argon2,
 * salted) and the logs' xact_id (the database's own) differ, and the logs' identity ids when the database held
 * log entries before.
 *
 * What it writes, per case on average: about 2 incidents, 1 action, 0.5 measures, 3 status changes, a
 * strategy for half the cases past intake, an escalation for 8 % of them, an agenda item for about a third
 * (at the first meeting after the case was opened), one read of the case in the processing and audit logs, and
 * for a case past its table's retention period its erasure as the nightly sweep would have done it (person
 * anonymised, free text gone) with its log entries. Tables: one per 24,000 cases (at least 2), each in its own
 * municipality with its seven member organisations, a chair and three member users (password DEMO_PASSWORD),
 * the default covenant and processing register, and weekly meetings over the five years (closed with
 * attendance, decisions and frozen minutes; the next one published, three planned).
 *
 * Speed, and what it changes on the way (all inside the one transaction, so a failure leaves nothing behind):
 * - every index of the filled tables, their primary keys and unique constraints, and every foreign key from or
 *   to them are dropped before the load and created again from their own definitions (pg_get_indexdef,
 *   pg_get_constraintdef) after it: a B-tree built by one sort instead of millions of random inserts (the ids
 *   are random), and a foreign key that checks all its rows with one join instead of a trigger call per row.
 *   The uniqueness and every reference are therefore still checked, once, before COMMIT;
 * - the `*_copy_case` triggers (which look up each event's case for its table and person) are disabled while
 *   the events are inserted with `table_id` and `subject_id` set to what the trigger would have set, and
 *   enabled again before the transaction ends; so are the triggers that keep `case_list_key` (the case list's
 *   sort keys), whose rows are then written in one statement for every loaded case.
 * The load takes ACCESS EXCLUSIVE locks on the filled tables until it commits: run it before the application
 * serves. After the commit, VACUUM ANALYZE of the filled tables gives the planner its statistics and the
 * visibility map its bits, as autovacuum would (it is off on some development servers). The caller's client must
 * not be inside a transaction (VACUUM cannot run in one). SEED_SCALE_EXPLAIN=<step>,<step> in the environment
 * prints EXPLAIN ANALYZE of those steps (run once in a savepoint that is rolled back, then for real).
 */

export interface ScaleOptions {
  cases: number;
  /** Same seed (and same `now`), same rows. Default 1. */
  seed?: number;
  /** The instant the data is laid out before: cases over the five years up to it, meetings around it. */
  now: Date;
  /** Tables in all, the demo's included when it exists. Default: one per 24,000 cases, at least 2. */
  tables?: number;
  /** Key of the processing log's keyed hash of the V-number; default PSEUDONYM_KEY of the environment. */
  pseudonymKey?: string;
  /** Progress: each step's name, rows and milliseconds. */
  onStep?: (step: string, rows: number, ms: number) => void;
}

/** Rows inserted, by database table. */
export type ScaleCounts = Record<string, number>;

export const CASES_PER_TABLE = 24_000;
/** The name every generated table starts with; a database that has one already is refused. */
export const SCALE_TABLE_PREFIX = 'LKO Schaal';
const DEMO_TABLE = 'LKO Harderwijk';
/** Cases are opened over this many days before `now`. */
const SPAN_DAYS = 1826;
/** The member organisations of a generated table, one of each type (the demo's table has the same seven). */
const ORG_TYPES = ['COA', 'IND', 'DTV', 'POLICE', 'OM', 'MUNICIPALITY', 'CHAIN_MARINE'] as const;
type OrgType = (typeof ORG_TYPES)[number];
const ORG_NAMES: Record<OrgType, (place: string) => string> = {
  COA: (p) => `COA azc ${p}`,
  IND: (p) => `IND Interventieteam ${p}`,
  DTV: (p) => `DT&V regio ${p}`,
  POLICE: (p) => `Politie basisteam ${p}`,
  OM: (p) => `Openbaar Ministerie ${p}`,
  MUNICIPALITY: (p) => `Gemeente ${p}`,
  CHAIN_MARINE: (p) => `Ketenmarinier ${p}`,
};
/** Users of a generated table besides its chair (of COA, as in the demo). */
const MEMBER_USER_TYPES: OrgType[] = ['POLICE', 'MUNICIPALITY', 'DTV'];
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR'];
/**
 * Which word of which of the case's hashes (scale_case.h1 … h5) each choice of a case reads, so that no two
 * choices share a draw (a short case would otherwise, say, also be the one that escalates).
 */
const DRAWS = {
  opened: ['h1', 0], duration: ['h1', 1], timeOfDay: ['h1', 2], stuckInIntake: ['h1', 3],
  monitoring: ['h1', 4], closedFromIntake: ['h1', 5], monitorAt: ['h1', 6], takenUpAfter: ['h1', 7],
  pairGap: ['h2', 0], incidents: ['h2', 1], actions: ['h2', 2], measures: ['h2', 3],
  risk: ['h2', 4], coordinator: ['h2', 5], reviewDate: ['h2', 6], procedureStage: ['h2', 7],
  indPriority: ['h3', 0], careNotes: ['h3', 1], strategy: ['h3', 2], strategyKind: ['h3', 3],
  escalation: ['h3', 4], onAgenda: ['h3', 5], nominated: ['h3', 6], decision: ['h3', 7],
  escalationStatus: ['h4', 0], outcome: ['h4', 1], readAt: ['h4', 2], readTook: ['h4', 3],
  ipA: ['h4', 4], ipB: ['h4', 5], nationality: ['h4', 6], birth: ['h4', 7],
  initial1: ['h5', 0], initial2: ['h5', 1], requestedBy: ['h5', 2], escalationAt: ['h5', 3],
  escalationTrack: ['h5', 4], requestAfter: ['h5', 5],
} as const satisfies Record<string, readonly [string, number]>;
/** Word `i` of the hash `h` (an SQL expression) as a draw in [0, 1). */
const u = (h: string, i: number) => `pg_temp.u(${h}, ${i})`;
/** A case's draw, from the row `alias` of scale_case (or a CTE with its hashes). */
const d = (name: keyof typeof DRAWS, alias = 'c') => `pg_temp.u(${alias}.${DRAWS[name][0]}, ${DRAWS[name][1]})`;
/** What the demo's chair (COA) is granted under the default covenant: the categories a case read touches. */
const CHAIR_CATEGORIES = CATEGORIES.filter((c) => DEFAULT_MATRIX[c].includes('COA'));
/** Their indexes, keys and foreign keys are dropped during the load and built again after it (takeApartSchema). */
const FILLED_TABLES = [
  'subject', 'case_file', 'case_status_change', 'case_strategy', 'meeting', 'attendance', 'agenda_item', 'action',
  'incident', 'measure', 'escalation', 'escalation_event', 'processing_log', 'audit_log', 'case_list_key',
];
/** Events whose trigger copies the case's table and person (migration 1764001200000). */
const COPY_CASE_TABLES = ['incident', 'measure', 'action', 'escalation'];

const list = (values: readonly string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
const lit = (value: string) => `'${value.replace(/'/g, "''")}'`;
/** `values[floor(u * n)]` in SQL, for a draw `u` in [0, 1). */
const pick = (values: readonly string[], u: string) => `(ARRAY[${list(values)}])[1 + floor((${u}) * ${values.length})::int]`;
/** A weighted choice in SQL: the first value whose cumulative weight exceeds the draw. */
function weighted(entries: readonly (readonly [string, number])[], u: string): string {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const whens = entries.slice(0, -1).map(([v, w]) => `WHEN (${u}) < ${((acc += w) / total).toFixed(6)} THEN ${lit(v)}`);
  return `CASE ${whens.join(' ')} ELSE ${lit(entries[entries.length - 1][0])} END`;
}
/** The table's organisation of a type given as an SQL expression, from scale_table `t`. */
const orgOf = (type: string) => `t.orgs[array_position(t.org_types, ${type})]`;
/** An instant as the application's JSON has it (Date.toISOString()). */
const iso = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** The Amsterdam calendar date of an instant. */
const localDate = (ts: string) => `((${ts}) AT TIME ZONE 'Europe/Amsterdam')::date`;

const pad2 = (n: number) => String(n).padStart(2, '0');
/** A case-reference prefix of letters only (the CHECK wants ^[A-Z]{2,6}$): S + the index in base 26. */
function prefixOf(i: number): string {
  let s = '';
  for (let k = 0, x = i; k < 3; k++, x = Math.floor(x / 26)) s = String.fromCharCode(65 + (x % 26)) + s;
  return `S${s}`;
}

/**
 * The HMAC-SHA256 of the processing log's data-subject hash (src/sharing/pseudonym.ts) as two SHA-256 in SQL:
 * sha256((K xor opad) || sha256((K xor ipad) || message)), RFC 2104. PostgreSQL has sha256() but no hmac()
 * without pgcrypto, and hashing a million V-numbers in Node would cost a round trip of them.
 */
function hmacPads(key: string): { ipad: Buffer; opad: Buffer } {
  let k = Buffer.from(key, 'utf8');
  if (k.length > 64) k = createHash('sha256').update(k).digest();
  const block = Buffer.alloc(64);
  k.copy(block);
  return { ipad: Buffer.from(block.map((b) => b ^ 0x36)), opad: Buffer.from(block.map((b) => b ^ 0x5c)) };
}

/** Descriptions by incident kind (fictitious; the demo's style). */
const INCIDENT_TEXT: Record<string, string> = {
  theft: 'Diefstal gemeld; goederen teruggevonden.',
  shoplifting: 'Winkeldiefstal; aangehouden door winkelpersoneel.',
  violence: 'Mishandeling na een woordenwisseling.',
  threat: 'Bedreiging van een medewerker.',
  vandalism: 'Vernieling van inventaris.',
  public_nuisance: 'Overlast in de openbare ruimte gemeld door omwonenden.',
  fare_dodging: 'Zwartrijden; vervoerder heeft proces-verbaal opgemaakt.',
  house_rule_breach: 'Herhaalde overtreding van de huisregels.',
  measure_violation: 'Gebiedsverbod overtreden.',
  other: 'Overige melding.',
};
const OFFENCE_KINDS = ['theft', 'shoplifting', 'violence', 'threat', 'vandalism'];
const NUISANCE_KINDS = ['house_rule_breach', 'public_nuisance', 'fare_dodging', 'threat', 'measure_violation', 'other'];
const PLACES = ['Centrum', 'Station', 'Winkelcentrum', 'Terrein azc', 'Supermarkt', 'Bushalte', 'Park', 'Trein'];
const ACTION_TEXT: Record<string, string> = {
  COA: 'Gesprek over huisregels voeren en begeleiding afstemmen.',
  POLICE: 'Proces-verbaal en dossier aanleveren bij het OM.',
  MUNICIPALITY: 'Gebiedsverbod voorbereiden en uitreiken.',
  DTV: 'Vertrekgesprek plannen en terugkoppelen.',
  IND: 'Voorrangsbehandeling van de aanvraag beoordelen.',
  OM: 'ZSM-afdoening beoordelen.',
};
const DECISIONS = [
  'Lik-op-stuk wordt voortgezet; bij een volgend incident direct een maatregel.',
  'Intake besproken; de partners delen hun informatie voor het volgende overleg.',
  'Vertrektraject loopt; de casus blijft in beeld.',
  'Besproken; geen nieuwe afspraken.',
];
const STRATEGY_TEXT: Record<string, string> = {
  nuisance: 'Lik-op-stuk: elk incident leidt tot een maatregel; dossieropbouw door politie en COA.',
  departure: 'Vertrekgesprekken DT&V binnen de vertrektermijn; bij overlast verwijzing naar het TTOV.',
  other: 'Begeleiding op locatie; de casus blijft in beeld bij de partners.',
};
const PROCEDURE_STAGES = ['Aanmelding', 'AA-procedure', 'VA-procedure', 'Dublin-procedure', 'Afgewezen, vertrekplicht', 'Vergunning verleend'];
const NATIONALITIES = ['DZA', 'MAR', 'TUN', 'LBY', 'SYR', 'ERI', 'AFG', 'TUR', 'GEO', 'NGA', 'IRQ', 'YEM', 'SOM'];
/** How often each measure type is imposed, roughly (the COA ladder and the mayor's area ban most of all). */
const MEASURE_WEIGHTS: Record<string, number> = {
  withholding_allowance: 20, intensive_guidance: 10, ambulant_support_team: 5, pbl_placement: 3, htl_placement: 3, location_transfer: 8,
  area_ban: 15, reporting_duty: 5, group_ban: 2, alcohol_ban: 2, security_risk_area: 1, collective_shop_ban: 6,
  zsm_settlement: 8, fast_track_trial: 3, immediate_execution: 1, priority_handling: 4, departure_interview: 6, detention_for_removal: 2,
};

/**
 * The reasons of a generated agenda item, as the draft stores them (agenda_item.reasons: each with its
 * category) and as the minutes freeze them (tagged with the category, see minutes-snapshot.ts).
 */
const NEW_CASE = { code: 'new_case', category: 'deliberation', origin: 'draft' };
const NOMINATED = { code: 'nominated', detail: 'progress_stalled: Voortgang bespreken', category: 'deliberation', origin: 'draft', via: 'member' };
const REASONS = { newCase: [NEW_CASE], nominated: [NEW_CASE, NOMINATED] };
const frozen = ({ category, ...value }: { category: string }) => ({ category, value });

interface TablePlan {
  idx: number;
  id: string | null; // null: generated here
  name: string;
  place: string;
  prefix: string;
  municipalityCode: string;
  rrule: string;
  retentionMonths: number;
  /** Meetings before this instant only (the demo's own meetings start there). */
  meetingsBefore: Date | null;
}

/**
 * Fills the database. Runs its own transaction on `db` (which must not be in one) and VACUUM ANALYZE after it;
 * returns the rows inserted per table.
 */
export async function seedScale(db: ClientBase, opts: ScaleOptions): Promise<ScaleCounts> {
  const seed = opts.seed ?? 1;
  if (!Number.isSafeInteger(opts.cases) || opts.cases < 1) throw new Error(`cases must be a positive integer, not ${opts.cases}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, not ${seed}`);
  const now = opts.now;
  const pseudonymKey = opts.pseudonymKey ?? loadConfig(process.env).PSEUDONYM_KEY;
  const counts: ScaleCounts = {};
  const step = async (name: string, table: string | null, sql: string, params: unknown[] = []): Promise<number> => {
    const started = performance.now();
    if (process.env.SEED_SCALE_EXPLAIN?.split(',').includes(name)) {
      await db.query(`SAVEPOINT explain`);
      const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      await db.query(`ROLLBACK TO SAVEPOINT explain`);
    }
    const res = await db.query(sql, params);
    const rows = res.rowCount ?? 0;
    if (table) counts[table] = (counts[table] ?? 0) + rows;
    opts.onStep?.(name, rows, performance.now() - started);
    return rows;
  };
  const timed = async (name: string, work: () => Promise<unknown>): Promise<void> => {
    const started = performance.now();
    await work();
    opts.onStep?.(name, 0, performance.now() - started);
  };
  // Only the first use of temporary tables in a session may size their buffers (later it has no effect).
  await db.query(`SET temp_buffers = '256MB'`).catch(() => undefined);
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL statement_timeout = 0`);
    await db.query(`SET LOCAL lock_timeout = '60s'`);
    await db.query(`SET LOCAL synchronous_commit = off`);
    await db.query(`SET LOCAL work_mem = '256MB'`);
    // The row estimates of generate_series in a lateral are far off (1000 a case), which sets JIT compiling for
    // about a second a statement; the expressions are cheap to interpret.
    await db.query(`SET LOCAL jit = off`);
    await db.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    await createHelpers(db, seed);

    const plans = await planTables(db, opts);
    const created = new Date(now.getTime() - (SPAN_DAYS + 30) * 86_400_000);
    await createTables(db, plans, created, passwordHash, step);
    await loadScaleTable(db, plans, step);

    // Taken apart for the load and put back below, before COMMIT (see the header).
    const schema = await takeApartSchema(db);
    for (const table of COPY_CASE_TABLES) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_copy_case`);
    for (const [table, trigger] of Object.entries(CASE_LIST_KEY_TRIGGERS)) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);

    await loadCases(db, opts.cases, now, step);
    await loadCaseRows(db, now, step);
    await loadMeetings(db, plans, created, now, step);
    await loadEvents(db, now, step);
    await loadMinutes(db, step);
    await loadLogs(db, pseudonymKey, step);

    for (const table of COPY_CASE_TABLES) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_copy_case`);
    // The case list's sort keys of every loaded case in one statement, instead of a trigger call per row.
    await timed('case list keys', () => db.query(CASE_LIST_KEY_BACKFILL));
    for (const [table, trigger] of Object.entries(CASE_LIST_KEY_TRIGGERS)) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    // Statistics first: re-adding a foreign key checks every row with one join, which the planner must size right.
    await timed('analyze', () => db.query(`ANALYZE ${FILLED_TABLES.join(', ')}`));
    await timed(`keys and indexes built (${schema.keys.length + schema.indexes.length})`, async () => {
      for (const k of schema.keys) await db.query(`ALTER TABLE ${k.table} ADD CONSTRAINT ${k.name} ${k.def}`);
      for (const ix of schema.indexes) await db.query(ix.def);
    });
    await timed(`foreign keys checked (${schema.foreignKeys.length})`, async () => {
      for (const fk of schema.foreignKeys) await db.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${fk.def}`);
    });
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  await timed('vacuum analyze', () =>
    db.query(`VACUUM ANALYZE ${[...FILLED_TABLES, 'organisation', 'app_user', 'chain_table', 'table_membership', 'table_member_organisation'].join(', ')}`),
  );
  return counts;
}

interface Constraint {
  table: string;
  name: string;
  def: string;
}

/**
 * Drops the indexes and constraints the load would otherwise maintain row by row: every index of the filled
 * tables, their primary keys and unique constraints, and every foreign key from or to them (a primary key
 * cannot go while a foreign key points at it). Returns their definitions, to be created again in the same
 * transaction: a B-tree built by one sort costs a fraction of a million random inserts (random uuids), and a
 * foreign key added back checks all its rows with one join instead of a trigger call per row.
 */
async function takeApartSchema(db: ClientBase): Promise<{ keys: Constraint[]; indexes: { name: string; def: string }[]; foreignKeys: Constraint[] }> {
  const constraints: (Constraint & { type: string })[] = (
    await db.query(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype AS type, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c
        WHERE c.contype IN ('p', 'u', 'f')
          AND (c.conrelid = ANY($1::regclass[]) OR (c.contype = 'f' AND c.confrelid = ANY($1::regclass[])))
        ORDER BY c.contype DESC, 1, 2`,
      [FILLED_TABLES],
    )
  ).rows;
  const indexes: { name: string; def: string }[] = (
    await db.query(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i
        WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY 1`,
      [FILLED_TABLES],
    )
  ).rows;
  const foreignKeys = constraints.filter((c) => c.type === 'f');
  const keys = constraints.filter((c) => c.type !== 'f');
  for (const c of [...foreignKeys, ...keys]) await db.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`);
  for (const ix of indexes) await db.query(`DROP INDEX ${ix.name}`);
  return { keys, indexes, foreignKeys };
}

type Step = (name: string, table: string | null, sql: string, params?: unknown[]) => Promise<number>;

/**
 * Deterministic ids and draws, as functions of the seed (interpolated: a validated integer) and a row number.
 * Plain SQL functions, so the planner inlines them.
 */
async function createHelpers(db: ClientBase, seed: number): Promise<void> {
  // Only immutable functions inside (n::text, not || n; decode, not convert_to), or the planner does not inline them.
  // An id is a version-4 UUID (version nibble 4, variant 10xx), as gen_random_uuid() makes and the API's UUID pipe expects.
  await db.query(
    `CREATE OR REPLACE FUNCTION pg_temp.sid(tag text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
       SELECT overlay(overlay(md5('${seed}:' || tag || ':' || n::text) PLACING '4' FROM 13 FOR 1) PLACING 'a' FROM 17 FOR 1)::uuid $$`,
  );
  // Eight 32-bit words to draw from.
  await db.query(
    `CREATE OR REPLACE FUNCTION pg_temp.rh(tag text, n bigint) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$ SELECT sha256(decode('${seed}:r:' || tag || ':' || n::text, 'escape')) $$`,
  );
  // The i-th word of a hash as a draw in [0, 1).
  await db.query(
    `CREATE OR REPLACE FUNCTION pg_temp.u(h bytea, i int) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
       SELECT ((get_byte(h, 4 * i)::bigint << 24) + (get_byte(h, 4 * i + 1) << 16) + (get_byte(h, 4 * i + 2) << 8) + get_byte(h, 4 * i + 3))::float8 / 4294967296 $$`,
  );
}

/** The tables to fill: the demo's (if it is there) and new ones up to the number asked for. */
async function planTables(db: ClientBase, opts: ScaleOptions): Promise<TablePlan[]> {
  const existing = await db.query(`SELECT 1 FROM chain_table WHERE name LIKE $1 LIMIT 1`, [`${SCALE_TABLE_PREFIX} %`]);
  if (existing.rowCount) throw new Error(`this database already holds scale data (a table named "${SCALE_TABLE_PREFIX} …"); seed a fresh one`);
  const total = Math.max(2, opts.tables ?? Math.round(opts.cases / CASES_PER_TABLE));
  if (total > 5000) throw new Error(`at most 5000 tables, not ${total}`);
  const plans: TablePlan[] = [];
  const [demo] = (
    await db.query(
      `SELECT t.id, t.name, t.coa_location, t.case_reference_prefix, t.municipality_code, t.cadence_rrule, t.retention_months,
              (SELECT min(m.scheduled_at) FROM meeting m WHERE m.table_id = t.id) AS first_meeting
         FROM chain_table t WHERE t.name = $1`,
      [DEMO_TABLE],
    )
  ).rows;
  if (demo) {
    plans.push({
      idx: 0, id: demo.id, name: demo.name, place: demo.coa_location, prefix: demo.case_reference_prefix, municipalityCode: demo.municipality_code,
      rrule: demo.cadence_rrule, retentionMonths: demo.retention_months, meetingsBefore: demo.first_meeting ?? null,
    });
  }
  for (let idx = plans.length, k = 1; idx < total; idx++, k++) {
    const place = `Schaal ${pad2(k)}`;
    plans.push({
      idx, id: null, name: `${SCALE_TABLE_PREFIX} ${pad2(k)}`, place, prefix: prefixOf(k), municipalityCode: `GM${String(500 + k).padStart(4, '0')}`,
      rrule: `FREQ=WEEKLY;BYDAY=${WEEKDAYS[k % WEEKDAYS.length]};BYHOUR=10;BYMINUTE=0`, retentionMonths: 24, meetingsBefore: null,
    });
  }
  return plans;
}

/** The new tables with their organisations, users, memberships, register, covenant and escalation rules. */
async function createTables(db: ClientBase, plans: TablePlan[], created: Date, passwordHash: string, step: Step): Promise<void> {
  const fresh = plans.filter((p) => p.id === null);
  if (!fresh.length) return;
  const idx = fresh.map((p) => p.idx);
  await step(
    'chain_table', 'chain_table',
    `INSERT INTO chain_table (id, name, coa_location, municipality_code, cadence_rrule, case_reference_prefix, retention_months, created_at, updated_at)
     SELECT pg_temp.sid('table', x.idx), x.name, 'azc ' || x.place, x.code, x.rrule, x.prefix, x.retention, $7, $7
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::int[]) AS x(idx, name, place, code, rrule, prefix, retention)`,
    [idx, fresh.map((p) => p.name), fresh.map((p) => p.place), fresh.map((p) => p.municipalityCode), fresh.map((p) => p.rrule), fresh.map((p) => p.prefix), created,
      fresh.map((p) => p.retentionMonths)],
  );
  const orgRows = fresh.flatMap((p) => ORG_TYPES.map((type, k) => ({ idx: p.idx, k, type, name: ORG_NAMES[type](p.place), code: type === 'MUNICIPALITY' ? p.municipalityCode : null })));
  await step(
    'organisation', 'organisation',
    `INSERT INTO organisation (id, type, name, municipality_code, created_at, updated_at)
     SELECT pg_temp.sid('org', x.idx * 16 + x.k), x.type, x.name, x.code, $6, $6
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[]) AS x(idx, k, type, name, code)`,
    [orgRows.map((o) => o.idx), orgRows.map((o) => o.k), orgRows.map((o) => o.type), orgRows.map((o) => o.name), orgRows.map((o) => o.code), created],
  );
  await step(
    'table_member_organisation', 'table_member_organisation',
    `INSERT INTO table_member_organisation (id, table_id, organisation_id, joined_at)
     SELECT pg_temp.sid('member-org', x.idx * 16 + x.k), pg_temp.sid('table', x.idx), pg_temp.sid('org', x.idx * 16 + x.k), $3
       FROM unnest($1::int[], $2::int[]) AS x(idx, k)`,
    [orgRows.map((o) => o.idx), orgRows.map((o) => o.k), created],
  );
  // A chair of COA (as in the demo) and three members; every account has the demo's password.
  const userRows = fresh.flatMap((p) =>
    (['COA', ...MEMBER_USER_TYPES] as OrgType[]).map((type, u) => ({
      idx: p.idx, u, k: ORG_TYPES.indexOf(type), role: u === 0 ? 'chair' : 'member',
      name: u === 0 ? `Voorzitter ${p.place}` : `${ORG_NAMES[type]('').trim()} (${p.place})`,
      email: `${type.toLowerCase().replace('_', '')}@${p.place.toLowerCase().replace(' ', '-')}.example.nl`,
    })),
  );
  await step(
    'app_user', 'app_user',
    `INSERT INTO app_user (id, organisation_id, name, email, password_hash, password_changed_at, created_at, updated_at)
     SELECT pg_temp.sid('user', x.idx * 16 + x.u), pg_temp.sid('org', x.idx * 16 + x.k), x.name, x.email, $6, $7, $7, $7
       FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[]) AS x(idx, u, k, name, email)`,
    [userRows.map((r) => r.idx), userRows.map((r) => r.u), userRows.map((r) => r.k), userRows.map((r) => r.name), userRows.map((r) => r.email), passwordHash, created],
  );
  await step(
    'table_membership', 'table_membership',
    `INSERT INTO table_membership (id, table_id, user_id, role, started_at)
     SELECT pg_temp.sid('membership', x.idx * 16 + x.u), pg_temp.sid('table', x.idx), pg_temp.sid('user', x.idx * 16 + x.u), x.role, $4
       FROM unnest($1::int[], $2::int[], $3::text[]) AS x(idx, u, role)`,
    [userRows.map((r) => r.idx), userRows.map((r) => r.u), userRows.map((r) => r.role), created],
  );
  // The register of processing activities and the default covenant, as covenant-writer.ts writes them for one table.
  const activities = fresh.flatMap((p) => CATEGORIES.map((c, k) => ({ idx: p.idx, k, c, name: activityName(p.name, c) })));
  await step(
    'processing_activity', 'processing_activity',
    `INSERT INTO processing_activity (id, table_id, category, name, purpose, data_subject_categories, created_at)
     SELECT pg_temp.sid('activity', x.idx * 16 + x.k), pg_temp.sid('table', x.idx), x.c, x.name, p.purpose, string_to_array(p.subjects, ','), $5
       FROM unnest($1::int[], $2::int[], $3::text[], $4::text[]) AS x(idx, k, c, name)
       JOIN unnest($6::text[], $7::text[], $8::text[]) AS p(c, purpose, subjects) ON p.c = x.c`,
    [activities.map((a) => a.idx), activities.map((a) => a.k), activities.map((a) => a.c), activities.map((a) => a.name), created,
      [...CATEGORIES], CATEGORIES.map((c) => ACTIVITY_PURPOSES[c]), CATEGORIES.map((c) => defaultDataSubjects(c).join(','))],
  );
  await step(
    'covenant_version', 'covenant_version',
    `INSERT INTO covenant_version (id, table_id, version, change_note, created_at)
     SELECT pg_temp.sid('covenant', i), pg_temp.sid('table', i), 1, 'Default covenant (DOMAIN.md section 7)', $2 FROM unnest($1::int[]) i`,
    [idx, created],
  );
  const grants = defaultGrants();
  await step(
    'covenant_grant', 'covenant_grant',
    `INSERT INTO covenant_grant (id, covenant_version_id, organisation_type, category, lawful_ground, legal_basis, processing_activity_id)
     SELECT pg_temp.sid('grant', i * 1000 + g.k), pg_temp.sid('covenant', i), g.t, g.c, g.ground, g.basis,
            pg_temp.sid('activity', i * 16 + array_position($6::text[], g.c) - 1)
       FROM unnest($1::int[]) i
      CROSS JOIN unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS g(t, c, ground, basis, k)`,
    [idx, grants.map((g) => g.organisationType), grants.map((g) => g.category), grants.map((g) => g.lawfulGround), grants.map((g) => g.legalBasis), [...CATEGORIES]],
  );
  await db.query(`UPDATE chain_table SET current_covenant_version_id = pg_temp.sid('covenant', i) FROM unnest($1::int[]) i WHERE id = pg_temp.sid('table', i)`, [idx]);
  await step(
    'escalation_rule', 'escalation_rule',
    `INSERT INTO escalation_rule (id, table_id, kind, track, threshold, window_days, created_at, updated_at)
     SELECT pg_temp.sid('rule', i * 16 + r.k), pg_temp.sid('table', i), r.kind, r.track, r.threshold, r.window_days, $6, $6
       FROM unnest($1::int[]) i CROSS JOIN unnest($2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS r(kind, track, threshold, window_days, k)`,
    [idx, DEFAULT_ESCALATION_RULES.map((r) => r.kind), DEFAULT_ESCALATION_RULES.map((r) => r.track), DEFAULT_ESCALATION_RULES.map((r) => r.threshold),
      DEFAULT_ESCALATION_RULES.map((r) => r.windowDays), created],
  );
}

/**
 * scale_table: what the load needs of every table it fills, the demo's included: its organisations by type,
 * its chair, the processing activities a case read and an erasure are logged under.
 */
async function loadScaleTable(db: ClientBase, plans: TablePlan[], step: Step): Promise<void> {
  await step(
    'scale_table', null,
    `CREATE TEMP TABLE scale_table ON COMMIT DROP AS
     SELECT x.idx, t.id, t.name, t.case_reference_prefix AS prefix, t.coa_location AS location, t.retention_months,
            o.types AS org_types, o.ids AS orgs,
            (SELECT m.user_id FROM table_membership m WHERE m.table_id = t.id AND m.role = 'chair' AND m.ended_at IS NULL) AS chair_id,
            (SELECT a.id FROM processing_activity a WHERE a.table_id = t.id AND a.category = 'deliberation') AS deliberation_activity,
            (SELECT a.id FROM processing_activity a WHERE a.table_id = t.id AND a.category = 'identity') AS identity_activity
       FROM unnest($1::int[], $2::uuid[]) AS x(idx, id)
       JOIN chain_table t ON t.id = coalesce(x.id, pg_temp.sid('table', x.idx))
      CROSS JOIN LATERAL (
        SELECT array_agg(g.type ORDER BY g.type) AS types, array_agg(g.id ORDER BY g.type) AS ids
          FROM (SELECT DISTINCT ON (og.type) og.type, og.id
                  FROM table_member_organisation mo JOIN organisation og ON og.id = mo.organisation_id
                 WHERE mo.table_id = t.id AND mo.left_at IS NULL ORDER BY og.type, og.name) g) o`,
    [plans.map((p) => p.idx), plans.map((p) => p.id)],
  );
  const { rows } = await db.query(`SELECT name, org_types, chair_id FROM scale_table`);
  for (const r of rows) {
    const missing = ORG_TYPES.filter((t) => !r.org_types?.includes(t));
    if (missing.length || !r.chair_id) throw new Error(`table ${r.name} lacks ${missing.length ? `member organisations ${missing.join(', ')}` : 'a chair'}`);
  }
  await db.query(`ALTER TABLE scale_table ADD PRIMARY KEY (idx)`);
}

/**
 * scale_case: one row per case with everything its rows derive from. Cases are spread evenly over the tables
 * (case n at table (n - 1) mod T), opened on working hours over five years with more of them recently, and
 * last 14 days to about two years (the median some five months); what has not ended by `now` is open:
 * intake for its first two weeks (and 5 % that stayed there), then active or monitoring. Every 20th case is
 * the same person's next case at the next table, opened one to three months after the previous one closed.
 */
async function loadCases(db: ClientBase, cases: number, now: Date, step: Step): Promise<void> {
  await step(
    'scale_case', null,
    `CREATE TEMP TABLE scale_case ON COMMIT DROP AS
     WITH g AS MATERIALIZED (
       SELECT n, pg_temp.rh('case1', n) AS h1, pg_temp.rh('case2', n) AS h2, pg_temp.rh('case3', n) AS h3, pg_temp.rh('case4', n) AS h4,
              pg_temp.rh('case5', n) AS h5, ((n - 1) % (SELECT count(*) FROM scale_table))::int AS table_idx
         FROM generate_series(1, $2::int) n
     ), b AS (
       SELECT g.*, d.dur, o.at AS opened0, o.at + d.dur AS closed0,
              interval '1 day' * (7 + floor(83 * ${d('pairGap', 'g')})) AS gap
         FROM g
        CROSS JOIN LATERAL (SELECT interval '1 day' * (14 + 700 * power(${d('duration', 'g')}, 2.2)) AS dur) d
        CROSS JOIN LATERAL (
          SELECT least($1::timestamptz - interval '10 minutes',
                   (date_trunc('day', ($1::timestamptz - interval '1 day' * (${SPAN_DAYS} * power(${d('opened', 'g')}, 1.4))) AT TIME ZONE 'Europe/Amsterdam')
                     + interval '8 hours' + interval '1 second' * floor(32400 * ${d('timeOfDay', 'g')})) AT TIME ZONE 'Europe/Amsterdam') AS at) o
     ), p AS (
       SELECT b.*, (b.n % 20 = 0 AND lag(b.closed0) OVER w + b.gap < $1::timestamptz - interval '1 day') AS paired, lag(b.closed0) OVER w AS prev_closed
         FROM b WINDOW w AS (ORDER BY b.n)
     ), o AS (
       SELECT p.*, CASE WHEN p.paired THEN p.prev_closed + p.gap ELSE p.opened0 END AS opened_at FROM p
     ), s AS (
       SELECT o.*, CASE WHEN o.opened_at + o.dur < $1::timestamptz THEN o.opened_at + o.dur END AS closed_at FROM o
     ), st AS (
       SELECT s.*,
              CASE WHEN s.closed_at IS NOT NULL THEN 'closed'
                   WHEN $1::timestamptz - s.opened_at < interval '14 days' OR ${d('stuckInIntake', 's')} < 0.05 THEN 'intake'
                   WHEN ${d('monitoring', 's')} < 0.35 THEN 'monitoring' ELSE 'active' END AS status,
              coalesce(s.closed_at, $1::timestamptz) AS end_at
         FROM s
     ), ta AS (
       -- Taken up (intake -> active) within days; 4 % of the closed cases were closed straight from intake.
       SELECT st.*,
              CASE WHEN st.status = 'intake' OR (st.status = 'closed' AND ${d('closedFromIntake', 'st')} < 0.04) THEN NULL
                   ELSE st.opened_at + least(interval '1 day' * (2 + 8 * ${d('takenUpAfter', 'st')}), (st.end_at - st.opened_at) / 3) END AS t_active
         FROM st
     ), tm AS (
       SELECT ta.*,
              CASE WHEN ta.status = 'monitoring' THEN ta.t_active + (ta.end_at - ta.t_active) * (0.3 + 0.5 * ${d('monitorAt', 'ta')})
                   WHEN ta.status = 'closed' AND ta.t_active IS NOT NULL AND ${d('monitorAt', 'ta')} < 0.5 THEN ta.t_active + (ta.closed_at - ta.t_active) * 0.6 END AS t_monitor,
              -- The nightly retention sweep (03:45) erased it once its table's retention period had passed.
              CASE WHEN ta.closed_at IS NOT NULL THEN
                ((((ta.closed_at + make_interval(months => t.retention_months)) AT TIME ZONE 'Europe/Amsterdam')::date + 1) + time '03:45') AT TIME ZONE 'Europe/Amsterdam'
              END AS erase_due
         FROM ta JOIN scale_table t ON t.idx = ta.table_idx
     ), e AS (
       SELECT tm.*, CASE WHEN tm.erase_due < $1::timestamptz THEN tm.erase_due END AS erased_at FROM tm
     ), l AS (
       SELECT e.*, coalesce(lead(e.paired) OVER w, false) AS next_paired, lead(e.erased_at) OVER w AS next_erased
         FROM e WINDOW w AS (ORDER BY e.n)
     )
     SELECT n, pg_temp.sid('case', n) AS id, h1, h2, h3, h4, h5, table_idx, paired, next_paired,
            CASE WHEN paired THEN n - 1 ELSE n END AS subject_n,
            pg_temp.sid('subject', CASE WHEN paired THEN n - 1 ELSE n END) AS subject_id,
            -- A case erased while its person still had a later case went to a placeholder person of its own
            -- (ErasureService.eraseCase); the person is anonymised when their last case is erased.
            CASE WHEN next_paired AND erased_at IS NOT NULL THEN pg_temp.sid('placeholder', n) ELSE pg_temp.sid('subject', CASE WHEN paired THEN n - 1 ELSE n END) END AS case_subject_id,
            '1' || lpad((CASE WHEN paired THEN n - 1 ELSE n END)::text, 9, '0') AS v_number,
            opened_at, t_active, t_monitor, closed_at, end_at, status, erased_at, next_erased
       FROM l`,
    [now, cases],
  );
  await db.query(`ALTER TABLE scale_case ADD PRIMARY KEY (n)`);
  await db.query(`ANALYZE scale_case`);
}

/** Subjects, cases (with their references), status history and strategies. */
async function loadCaseRows(db: ClientBase, now: Date, step: Step): Promise<void> {
  // A person is erased when their last case is (for a pair, the later case).
  await step(
    'subject', 'subject',
    `INSERT INTO subject (id, v_number, family_name, given_names, date_of_birth, nationality, reception_location, erased_at, created_at, updated_at)
     SELECT c.subject_id,
            CASE WHEN x.erased_at IS NULL THEN c.v_number ELSE 'erased:' || c.subject_id::text END,
            CASE WHEN x.erased_at IS NULL THEN 'Schaal-Persoon' END,
            CASE WHEN x.erased_at IS NULL THEN chr(65 + floor(26 * ${d('initial1')})::int) || '.' || chr(65 + floor(26 * ${d('initial2')})::int) || '.' END,
            CASE WHEN x.erased_at IS NULL THEN date '1968-01-01' + floor(14000 * ${d('birth')})::int END,
            CASE WHEN x.erased_at IS NULL THEN ${pick(NATIONALITIES, d('nationality'))} END,
            CASE WHEN x.erased_at IS NULL THEN t.location END,
            x.erased_at, c.opened_at, coalesce(x.erased_at, c.opened_at)
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL (SELECT CASE WHEN c.next_paired THEN c.next_erased ELSE c.erased_at END AS erased_at) x
      WHERE NOT c.paired
     UNION ALL
     SELECT c.case_subject_id, 'erased:' || c.case_subject_id::text, NULL, NULL, NULL, NULL, NULL, c.erased_at, c.erased_at, c.erased_at
       FROM scale_case c WHERE c.case_subject_id <> c.subject_id`,
  );
  // PREFIX-YYYY-NNNN as the application numbers them, per table and year of opening, after the table's own.
  await step(
    'case_file', 'case_file',
    `WITH taken AS (
       SELECT t.idx, substring(c.reference FROM '^[A-Z]+-([0-9]{4})-') AS year, max(substring(c.reference FROM '[0-9]+$')::int) AS last
         FROM case_file c JOIN scale_table t ON t.id = c.table_id
        WHERE c.reference ~ ('^' || t.prefix || '-[0-9]{4}-[0-9]+$')
        GROUP BY 1, 2
     ), numbered AS (
       SELECT c.*, to_char(c.opened_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY') AS year,
              row_number() OVER (PARTITION BY c.table_idx, to_char(c.opened_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY') ORDER BY c.opened_at, c.n) AS k
         FROM scale_case c
     )
     INSERT INTO case_file (id, table_id, subject_id, reference, status, risk_level, coordinator_organisation_id, review_date, procedure_stage,
                            ind_priority, care_notes, opened_at, closed_at, erased_at, created_at, updated_at)
     SELECT c.id, t.id, c.case_subject_id,
            t.prefix || '-' || c.year || '-' || lpad((coalesce(k.last, 0) + c.k)::text, greatest(4, length((coalesce(k.last, 0) + c.k)::text)), '0'),
            c.status,
            ${weighted([['low', 3], ['medium', 5], ['high', 2]], d('risk'))},
            ${orgOf(weighted([['COA', 6], ['POLICE', 2], ['MUNICIPALITY', 2]], d('coordinator')))},
            CASE WHEN c.status <> 'closed' THEN ${localDate('$1::timestamptz')} + (floor(42 * ${d('reviewDate')})::int - 14) END,
            CASE WHEN c.status = 'intake' THEN 'Aanmelding' ELSE ${pick(PROCEDURE_STAGES, d('procedureStage'))} END,
            ${d('indPriority')} < 0.1,
            CASE WHEN c.erased_at IS NULL AND ${d('careNotes')} < 0.03 THEN 'Verhoogde kwetsbaarheid gemeld door COA (synthetisch).' END,
            c.opened_at, c.closed_at, c.erased_at, c.opened_at, greatest(c.opened_at, c.t_active, c.t_monitor, c.closed_at, c.erased_at)
       FROM numbered c JOIN scale_table t ON t.idx = c.table_idx LEFT JOIN taken k ON k.idx = c.table_idx AND k.year = c.year`,
    [now],
  );
  await step(
    'case_status_change', 'case_status_change',
    `INSERT INTO case_status_change (id, case_id, from_status, to_status, reason, changed_at, changed_by)
     SELECT pg_temp.sid('status', c.n * 8 + v.k), c.id, v.from_status, v.to_status, v.reason, v.at, CASE WHEN v.k > 1 THEN t.chair_id END
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL (VALUES
        (1, NULL, 'intake', NULL, c.opened_at),
        (2, 'intake', 'active', 'Besproken in het casusoverleg', c.t_active),
        (3, 'active', 'monitoring', 'Situatie gestabiliseerd', c.t_monitor),
        (4, CASE WHEN c.t_monitor IS NOT NULL THEN 'monitoring' WHEN c.t_active IS NOT NULL THEN 'active' ELSE 'intake' END, 'closed',
            'Afgesloten in het casusoverleg', c.closed_at)) AS v(k, from_status, to_status, reason, at)
      WHERE v.at IS NOT NULL`,
  );
  await step(
    'case_strategy', 'case_strategy',
    `INSERT INTO case_strategy (id, case_id, revision, kind, text, created_at, created_by)
     SELECT pg_temp.sid('strategy', c.n), c.id, 1, s.kind,
            CASE s.kind ${Object.entries(STRATEGY_TEXT).map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ')} END, c.t_active, t.chair_id
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL (SELECT ${weighted([['nuisance', 55], ['departure', 35], ['other', 10]], d('strategyKind'))} AS kind) s
      WHERE c.t_active IS NOT NULL AND ${d('strategy')} < 0.5`,
  );
}

/**
 * Weekly meetings per table from the table's own cadence (occurrences() as the generator computes them,
 * holidays skipped): closed in the past, the next one with a published agenda, three planned. For the demo's
 * table only the weeks before its own meetings. Attendance for the closed ones, and an agenda item at the first
 * meeting after a case was opened for about a third of the cases (and every case still in intake).
 */
async function loadMeetings(db: ClientBase, plans: TablePlan[], created: Date, now: Date, step: Step): Promise<void> {
  const rows: { idx: number; seq: number; slot: Date; at: Date; status: string; drafted: Date | null; published: Date | null; createdAt: Date }[] = [];
  const from = new Date(now.getTime() - SPAN_DAYS * 86_400_000);
  const until = new Date(now.getTime() + 29 * 86_400_000);
  for (const p of plans) {
    let ahead = 0;
    // The cadence's anchor (a Monday) just before the period: occurrences() counts at most 1000 from it.
    const found = occurrences(p.rrule, 'skip', from, p.meetingsBefore ?? until, mondayBefore(from));
    for (const [seq, o] of found.entries()) {
      const date = amsterdamDate(o.scheduledAt);
      const held = o.scheduledAt.getTime() + 2 * 3_600_000 < now.getTime();
      if (!held && (p.meetingsBefore || ahead >= 4)) break;
      const status = held ? 'closed' : ahead++ === 0 ? 'agenda_published' : 'planned';
      const drafted = status === 'planned' ? null : minDate(amsterdamHour(addWorkingDays(date, -2), 8), now);
      const published = status === 'planned' ? null : minDate(amsterdamHour(addWorkingDays(date, -1), 12), now);
      rows.push({ idx: p.idx, seq, slot: o.slot, at: o.scheduledAt, status, drafted, published, createdAt: maxDate(created, new Date(o.scheduledAt.getTime() - 56 * 86_400_000)) });
    }
  }
  await step(
    'scale_meeting', null,
    `CREATE TEMP TABLE scale_meeting ON COMMIT DROP AS
     SELECT pg_temp.sid('meeting', x.idx * 100000 + x.seq) AS id, x.idx AS table_idx, x.seq, x.slot, x.at AS scheduled_at, x.status,
            x.drafted, x.published, x.created, CASE WHEN x.status = 'closed' THEN x.at + interval '90 minutes' END AS closed_at
       FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
            AS x(idx, seq, slot, at, status, drafted, published, created)`,
    [rows.map((r) => r.idx), rows.map((r) => r.seq), rows.map((r) => r.slot), rows.map((r) => r.at), rows.map((r) => r.status), rows.map((r) => r.drafted),
      rows.map((r) => r.published), rows.map((r) => r.createdAt)],
  );
  await db.query(`CREATE INDEX ON scale_meeting (table_idx, scheduled_at)`);
  await db.query(`ANALYZE scale_meeting`);
  // Closed meetings go in as in session; loadMinutes() closes them with their minutes, as the close endpoint does.
  await step(
    'meeting', 'meeting',
    `INSERT INTO meeting (id, table_id, scheduled_at, cadence_slot, status, location, agenda_drafted_at, agenda_published_at, opened_at, created_at, updated_at)
     SELECT m.id, t.id, m.scheduled_at, m.slot, CASE WHEN m.status = 'closed' THEN 'in_session' ELSE m.status END, 'Vergaderzaal azc',
            m.drafted, m.published, CASE WHEN m.status = 'closed' THEN m.scheduled_at END, m.created, coalesce(m.published, m.created)
       FROM scale_meeting m JOIN scale_table t ON t.idx = m.table_idx ORDER BY m.table_idx, m.seq`,
  );
  await step(
    'attendance', 'attendance',
    `INSERT INTO attendance (meeting_id, organisation_id, present, note, recorded_at)
     SELECT m.id, o.id, x.present, CASE WHEN NOT x.present THEN 'Afgemeld; stukken vooraf gedeeld' END, m.scheduled_at + interval '2 minutes'
       FROM scale_meeting m JOIN scale_table t ON t.idx = m.table_idx
      CROSS JOIN LATERAL unnest(t.orgs) WITH ORDINALITY AS o(id, k)
      CROSS JOIN LATERAL (SELECT pg_temp.u(pg_temp.rh('attendance', m.table_idx * 100000 + m.seq), o.k::int) >= 0.1 AS present) x
      WHERE m.status = 'closed'`,
  );
  await step(
    'scale_item', null,
    `CREATE TEMP TABLE scale_item ON COMMIT DROP AS
     SELECT c.n, c.id AS case_id, pg_temp.sid('item', c.n) AS id, m.id AS meeting_id, m.status AS meeting_status, m.drafted, m.closed_at,
            row_number() OVER (PARTITION BY m.id ORDER BY cf.reference) AS position,
            ${d('nominated')} < 0.06 AS nominated
       FROM scale_case c
       JOIN case_file cf ON cf.id = c.id
      CROSS JOIN LATERAL (SELECT * FROM scale_meeting m WHERE m.table_idx = c.table_idx AND m.scheduled_at > c.opened_at ORDER BY m.scheduled_at LIMIT 1) m
      WHERE m.status IN ('closed', 'agenda_published') AND (c.closed_at IS NULL OR m.scheduled_at + interval '2 hours' < c.closed_at)
        AND (c.status = 'intake' OR ${d('onAgenda')} < 0.33)`,
  );
  await db.query(`ALTER TABLE scale_item ADD PRIMARY KEY (n)`);
  await db.query(`ANALYZE scale_item`);
  await step(
    'agenda_item', 'agenda_item',
    `INSERT INTO agenda_item (id, meeting_id, position, case_id, reasons, decision_text, outcome, created_at, updated_at)
     SELECT i.id, i.meeting_id, i.position, i.case_id,
            CASE WHEN i.nominated THEN ${lit(JSON.stringify(REASONS.nominated))}::jsonb ELSE ${lit(JSON.stringify(REASONS.newCase))}::jsonb END,
            CASE WHEN i.meeting_status = 'closed' THEN ${pick(DECISIONS, d('decision'))} END,
            CASE WHEN i.meeting_status = 'closed' THEN ${weighted([['discussed', 90], ['postponed', 5], ['escalated', 5]], d('outcome'))} END,
            i.drafted, coalesce(i.closed_at, i.drafted)
       FROM scale_item i JOIN scale_case c ON c.n = i.n ORDER BY i.meeting_id, i.position`,
  );
}

/** Actions (the first one agreed at the case's agenda item when it had one), incidents, measures, escalations. */
async function loadEvents(db: ClientBase, now: Date, step: Step): Promise<void> {
  const today = amsterdamDate(now);
  const owners = ['COA', 'POLICE', 'MUNICIPALITY', 'DTV', 'IND', 'OM'];
  await step(
    'action', 'action',
    `INSERT INTO action (id, case_id, owner_organisation_id, owner_user_id, description, due_date, status, result_note, created_at, completed_at,
                         meeting_id, agenda_item_id, not_acted_on_count, updated_at, table_id, subject_id)
     SELECT pg_temp.sid('action', c.n * 8 + k), c.id, ${orgOf('w.owner')}, CASE WHEN w.owner = 'COA' THEN t.chair_id END,
            CASE w.owner ${Object.entries(ACTION_TEXT).map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ')} END,
            a.due, s.status,
            CASE s.status WHEN 'done' THEN 'Uitgevoerd.' WHEN 'cancelled' THEN 'Vervallen: omstandigheden gewijzigd.' END,
            a.made, f.completed_at, a.meeting_id, a.item_id,
            CASE WHEN s.status = 'open' AND a.due < $2::date AND ${u('r.h', 5)} < 0.25 THEN 1 ELSE 0 END,
            coalesce(f.completed_at, a.made), t.id, c.subject_id
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
       LEFT JOIN scale_item i ON i.n = c.n AND i.meeting_status = 'closed'
      CROSS JOIN LATERAL generate_series(1, CASE WHEN ${d('actions')} < 0.25 THEN 0 WHEN ${d('actions')} < 0.75 THEN 1 ELSE 2 END) k
      -- OFFSET 0 keeps the planner from pulling the subquery up, which would compute the hash again at every use.
      CROSS JOIN LATERAL (SELECT pg_temp.rh('action', c.n * 8 + k) AS h OFFSET 0) r
      CROSS JOIN LATERAL (SELECT ${pick(owners, u('r.h', 4))} AS owner) w
      CROSS JOIN LATERAL (
        SELECT x.made, ${localDate(`x.made + interval '1 day' * (7 + floor(21 * ${u('r.h', 1)}))`)} AS due,
               CASE WHEN k = 1 THEN i.meeting_id END AS meeting_id, CASE WHEN k = 1 THEN i.id END AS item_id
          FROM (SELECT CASE WHEN k = 1 AND i.n IS NOT NULL THEN i.closed_at ELSE c.opened_at + (c.end_at - c.opened_at) * ${u('r.h', 0)} END AS made) x) a
      CROSS JOIN LATERAL (
        SELECT CASE WHEN c.status = 'closed' THEN CASE WHEN ${u('r.h', 2)} < 0.88 THEN 'done' ELSE 'cancelled' END
                    WHEN a.due < $2::date THEN CASE WHEN ${u('r.h', 2)} < 0.6 THEN 'done' WHEN ${u('r.h', 2)} < 0.7 THEN 'cancelled' ELSE 'open' END
                    ELSE CASE WHEN ${u('r.h', 2)} < 0.2 THEN 'done' ELSE 'open' END END AS status) s
      CROSS JOIN LATERAL (
        SELECT CASE WHEN s.status = 'done' THEN
                 least($1::timestamptz, a.made + greatest(interval '1 hour',
                   (least((a.due + time '17:00') AT TIME ZONE 'Europe/Amsterdam', c.end_at) - a.made) * (0.2 + 0.8 * ${u('r.h', 3)}))) END AS completed_at) f`,
    [now, today],
  );
  await step(
    'incident', 'incident',
    `INSERT INTO incident (id, case_id, source_organisation_id, kind, classification, severity, occurred_at, place, description, reported_to_police,
                           victim_kind, external_reference, created_at, table_id, subject_id)
     SELECT pg_temp.sid('incident', c.n * 8 + k), c.id, ${orgOf('x.source')}, x.kind, x.cls,
            ${weighted([['minor', 55], ['serious', 35], ['severe', 10]], u('r.h', 5))},
            x.at, CASE WHEN c.erased_at IS NULL THEN ${pick(PLACES, u('r.h', 4))} END,
            CASE WHEN c.erased_at IS NULL THEN CASE x.kind ${Object.entries(INCIDENT_TEXT).map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ')} END END,
            -- The heavier the incident, the likelier the aangifte (the same draw as the severity).
            x.cls = 'offence' AND ${u('r.h', 5)} >= 0.3,
            CASE x.kind WHEN 'shoplifting' THEN 'shop' WHEN 'fare_dodging' THEN 'transport'
                        WHEN 'threat' THEN CASE WHEN ${u('r.h', 6)} < 0.6 THEN 'staff_public_duty' ELSE 'resident' END
                        WHEN 'violence' THEN ${pick(['resident', 'staff_public_duty', 'neighbour', 'other'], u('r.h', 6))}
                        WHEN 'house_rule_breach' THEN 'resident' WHEN 'public_nuisance' THEN 'neighbour' END,
            CASE WHEN c.erased_at IS NULL THEN
              CASE x.source WHEN 'POLICE' THEN 'BVH' WHEN 'COA' THEN 'COA' ELSE 'GEM' END || '-' || to_char(x.at AT TIME ZONE 'Europe/Amsterdam', 'YYYY') || '-' || c.n || '-' || k END,
            least($1::timestamptz, x.at + interval '1 hour' * (1 + floor(71 * ${u('r.h', 7)}))), t.id, c.subject_id
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL generate_series(1, floor(5 * ${d('incidents')})::int) k
      CROSS JOIN LATERAL (SELECT pg_temp.rh('incident', c.n * 8 + k) AS h OFFSET 0) r
      CROSS JOIN LATERAL (SELECT CASE WHEN ${u('r.h', 1)} < 0.35 THEN 'offence' ELSE 'nuisance' END AS cls) y
      CROSS JOIN LATERAL (
        SELECT y.cls,
               CASE WHEN y.cls = 'offence' THEN ${pick(OFFENCE_KINDS, u('r.h', 2))} ELSE ${pick(NUISANCE_KINDS, u('r.h', 2))} END AS kind,
               CASE WHEN y.cls = 'offence' THEN CASE WHEN ${u('r.h', 3)} < 0.85 THEN 'POLICE' ELSE 'COA' END
                    ELSE ${weighted([['COA', 75], ['MUNICIPALITY', 15], ['POLICE', 10]], u('r.h', 3))} END AS source,
               c.opened_at + (c.end_at - c.opened_at) * ${u('r.h', 0)} AS at) x`,
    [now],
  );
  const types = MEASURE_CATALOGUE.map((m) => [m.code, MEASURE_WEIGHTS[m.code] ?? 1] as const);
  const byCode = (f: (m: (typeof MEASURE_CATALOGUE)[number]) => string) => `CASE x.type ${MEASURE_CATALOGUE.map((m) => `WHEN ${lit(m.code)} THEN ${f(m)}`).join(' ')} END`;
  await step(
    'measure', 'measure',
    `INSERT INTO measure (id, case_id, type, imposing_organisation_id, legal_basis, starts_at, ends_at, status, note, created_at, table_id, subject_id)
     SELECT pg_temp.sid('measure', c.n * 8 + k), c.id, x.type, ${orgOf(byCode((m) => lit(m.imposedBy[0])))}, ${byCode((m) => lit(m.legalBasis))},
            x.starts_at, x.ends_at,
            CASE WHEN ${u('r.h', 2)} < 0.04 THEN 'revoked' WHEN x.ends_at < $1::timestamptz THEN 'ended' ELSE 'active' END,
            CASE WHEN ${byCode((m) => lit(m.category))} = 'measures' AND ${u('r.h', 3)} < 0.5 THEN 'Afgesproken in het casusoverleg' END,
            x.starts_at, t.id, c.subject_id
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL generate_series(1, CASE WHEN ${d('measures')} < 0.6 THEN 0 WHEN ${d('measures')} < 0.9 THEN 1 ELSE 2 END) k
      CROSS JOIN LATERAL (SELECT pg_temp.rh('measure', c.n * 8 + k) AS h OFFSET 0) r
      CROSS JOIN LATERAL (SELECT ${weighted(types, u('r.h', 0))} AS type, c.opened_at + (c.end_at - c.opened_at) * ${u('r.h', 1)} AS starts_at OFFSET 0) s
      CROSS JOIN LATERAL (
        SELECT s.type, s.starts_at,
               s.starts_at + ${`CASE s.type ${MEASURE_CATALOGUE.filter((m) => m.defaultDurationHours).map((m) => `WHEN ${lit(m.code)} THEN interval '${m.defaultDurationHours} hours'`).join(' ')} ELSE interval '1 day' * (7 + floor(113 * ${u('r.h', 4)})) END`} AS ends_at) x`,
    [now],
  );
  // Escalations for 8 % of the cases past intake, each with its history (proposed, requested, answered, done).
  const tracks = Object.keys(ESCALATION_TRACKS);
  await step(
    'scale_escalation', null,
    `CREATE TEMP TABLE scale_escalation ON COMMIT DROP AS
     SELECT c.n, pg_temp.sid('escalation', c.n) AS id, c.id AS case_id, t.id AS table_id, c.subject_id, x.track, x.target,
            ${orgOf(`CASE WHEN ${d('requestedBy')} < 0.6 THEN 'POLICE' ELSE 'COA' END`)} AS requested_by, ${orgOf('x.target')} AS target_org,
            x.created_at, s.status,
            CASE WHEN s.status <> 'proposed' THEN x.requested_at END AS requested_at,
            CASE WHEN s.status NOT IN ('proposed', 'requested') THEN x.requested_at + (c.end_at - x.requested_at) * 0.3 END AS decided_at,
            CASE WHEN s.status = 'completed' THEN x.requested_at + (c.end_at - x.requested_at) * 0.6 END AS completed_at
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL (
        SELECT y.track, CASE y.track ${Object.entries(ESCALATION_TRACKS).map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ')} END AS target,
               y.at AS created_at, y.at + least(interval '1 day' * (1 + 4 * ${d('requestAfter')}), (c.end_at - y.at) / 2) AS requested_at
          FROM (SELECT ${pick(tracks, d('escalationTrack'))} AS track, c.t_active + (c.end_at - c.t_active) * 0.8 * ${d('escalationAt')} AS at) y) x
      CROSS JOIN LATERAL (
        SELECT CASE WHEN c.status = 'closed' THEN ${weighted([['completed', 45], ['rejected', 20], ['withdrawn', 15], ['accepted', 20]], d('escalationStatus'))}
                    ELSE ${weighted([['proposed', 15], ['requested', 30], ['accepted', 25], ['completed', 20], ['rejected', 10]], d('escalationStatus'))} END AS status) s
      WHERE c.t_active IS NOT NULL AND ${d('escalation')} < 0.08`,
  );
  await step(
    'escalation', 'escalation',
    `INSERT INTO escalation (id, case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, response_due_date, outcome,
                             requested_at, created_at, updated_at, table_id, subject_id)
     SELECT e.id, e.case_id, e.track, e.target, e.requested_by, e.status, 'Aanhoudende overlast ondanks maatregelen.',
            CASE WHEN e.requested_at IS NOT NULL THEN ${localDate('e.requested_at')} + 7 END,
            CASE e.status WHEN 'completed' THEN 'Uitgevoerd.' WHEN 'rejected' THEN 'Afgewezen: onvoldoende grond.' END,
            e.requested_at, e.created_at, coalesce(e.completed_at, e.decided_at, e.requested_at, e.created_at), e.table_id, e.subject_id
       FROM scale_escalation e ORDER BY e.n`,
  );
  await step(
    'escalation_event', 'escalation_event',
    `INSERT INTO escalation_event (escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at)
     SELECT e.id, v.from_status, v.to_status, v.reason, 'user', v.org, v.at
       FROM scale_escalation e
      CROSS JOIN LATERAL (VALUES
        (1, NULL, 'proposed', 'Voorgesteld in het overleg', e.requested_by, e.created_at),
        (2, 'proposed', 'requested', 'Verzocht door de voorzitter', e.requested_by, e.requested_at),
        (3, 'requested', CASE WHEN e.status = 'completed' THEN 'accepted' ELSE e.status END, 'Beantwoord',
            CASE WHEN e.status = 'withdrawn' THEN e.requested_by ELSE e.target_org END, e.decided_at),
        (4, 'accepted', 'completed', 'Afgerond', e.target_org, e.completed_at)) AS v(k, from_status, to_status, reason, org, at)
      WHERE v.at IS NOT NULL
      ORDER BY e.n, v.k`,
  );
}

/**
 * Closes the held meetings with their minutes, in the shape buildMinutesSnapshot() freezes (format 2: the
 * case's id and reference, no identity; every value with its category). Built with set-based joins, not a
 * query per meeting: the indexes it would need are dropped during the load. Built as json (text), which costs
 * a fraction of building jsonb object by object, and stored as jsonb.
 */
async function loadMinutes(db: ClientBase, step: Step): Promise<void> {
  const tag = (category: string, value: string) => `json_build_object('category', '${category}', 'value', ${value})`;
  await step(
    'minutes', null,
    `WITH acts AS (
       SELECT a.agenda_item_id, json_agg(${tag('deliberation', `json_build_object(
                'id', a.id, 'caseId', a.case_id, 'caseReference', cf.reference, 'tableId', cf.table_id, 'meetingId', a.meeting_id,
                'ownerOrganisationId', a.owner_organisation_id, 'ownerOrganisationName', o.name, 'ownerUserId', a.owner_user_id,
                'description', a.description, 'dueDate', a.due_date::text)`)} ORDER BY a.due_date, a.created_at, a.id) AS list
         FROM scale_item i JOIN action a ON a.agenda_item_id = i.id JOIN organisation o ON o.id = a.owner_organisation_id JOIN case_file cf ON cf.id = a.case_id
        WHERE i.meeting_status = 'closed'
        GROUP BY a.agenda_item_id
     ), items AS (
       SELECT ai.meeting_id, json_agg(json_build_object(
                'agendaItemId', ai.id, 'position', ai.position, 'topic', NULL,
                'case', json_build_object('id', cf.id, 'reference', cf.reference, 'procedureStage', ${tag('procedure', 'cf.procedure_stage')}),
                'reasons', CASE WHEN i.nominated THEN ${lit(JSON.stringify(REASONS.nominated.map(frozen)))}::json ELSE ${lit(JSON.stringify(REASONS.newCase.map(frozen)))}::json END,
                'decisionText', ${tag('deliberation', 'ai.decision_text')}, 'outcome', ${tag('deliberation', 'ai.outcome')}, 'strategy', NULL,
                'actions', coalesce(acts.list, '[]'::json), 'actionReviews', '[]'::json, 'escalations', '[]'::json, 'measures', '[]'::json)
              ORDER BY ai.position, ai.id) AS list
         FROM scale_item i JOIN agenda_item ai ON ai.id = i.id JOIN case_file cf ON cf.id = ai.case_id LEFT JOIN acts ON acts.agenda_item_id = ai.id
        WHERE i.meeting_status = 'closed'
        GROUP BY ai.meeting_id
     ), att AS (
       SELECT a.meeting_id, json_agg(json_build_object('organisationId', o.id, 'organisationType', o.type, 'organisationName', o.name,
                'present', a.present, 'note', a.note) ORDER BY o.name, o.id) AS list
         FROM scale_meeting m JOIN attendance a ON a.meeting_id = m.id JOIN organisation o ON o.id = a.organisation_id
        WHERE m.status = 'closed'
        GROUP BY a.meeting_id
     )
     UPDATE meeting mt
        SET status = 'closed', closed_at = m.closed_at, updated_at = m.closed_at,
            minutes = json_build_object('format', 2, 'meetingId', mt.id, 'tableId', mt.table_id, 'tableName', t.name,
                        'scheduledAt', ${iso('mt.scheduled_at')}, 'openedAt', ${iso('mt.opened_at')}, 'closedAt', ${iso('m.closed_at')},
                        'location', mt.location, 'attendance', coalesce(att.list, '[]'::json), 'items', coalesce(items.list, '[]'::json))::jsonb
       FROM scale_meeting m JOIN scale_table t ON t.idx = m.table_idx LEFT JOIN items ON items.meeting_id = m.id LEFT JOIN att ON att.meeting_id = m.id
      WHERE mt.id = m.id AND m.status = 'closed'`,
  );
}

/**
 * The processing and audit logs as the application writes them (ProcessingLogService): one read of each case
 * by its table's chair during the case's life, and the erasure of each erased case by the system. Inserted
 * unsealed, as the application inserts them; the sealing job chains them afterwards.
 */
async function loadLogs(db: ClientBase, pseudonymKey: string, step: Step): Promise<void> {
  const { ipad, opad } = hmacPads(pseudonymKey);
  await step(
    'scale_log', null,
    `CREATE TEMP TABLE scale_log ON COMMIT DROP AS
     SELECT c.n, 'case.read' AS operation, pg_temp.sid('read', c.n) AS operation_id, encode(substr(pg_temp.rh('trace', c.n), 1, 16), 'hex') AS trace_id,
            x.at AS started_at, x.at + interval '1 millisecond' * (3 + floor(20 * ${d('readTook')})) AS ended_at,
            t.deliberation_activity AS activity, t.id AS table_id, t.chair_id, ${orgOf(`'COA'`)} AS organisation_id, c.v_number,
            '10.20.' || floor(256 * ${d('ipA')})::int || '.' || floor(256 * ${d('ipB')})::int AS ip
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      CROSS JOIN LATERAL (SELECT least(c.opened_at + (c.end_at - c.opened_at) * ${d('readAt')}, coalesce(c.erased_at, c.end_at)) AS at) x
     UNION ALL
     SELECT c.n, 'case.erase_by_retention', pg_temp.sid('erase', c.n), encode(substr(pg_temp.rh('erase-trace', c.n), 1, 16), 'hex'), c.erased_at, c.erased_at + interval '5 milliseconds',
            t.identity_activity, t.id, NULL, NULL, c.v_number, NULL
       FROM scale_case c JOIN scale_table t ON t.idx = c.table_idx
      WHERE c.erased_at IS NOT NULL`,
  );
  await step(
    'processing_log', 'processing_log',
    `INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, processing_activity_id, data_subject_id, table_id)
     SELECT l.trace_id, l.operation_id, l.operation, 'ok', l.started_at, l.ended_at, l.activity,
            encode(sha256($2::bytea || sha256($1::bytea || convert_to(l.v_number, 'UTF8'))), 'hex'), l.table_id
       FROM scale_log l ORDER BY l.started_at, l.n, l.operation`,
    [ipad, opad],
  );
  await step(
    'audit_log', 'audit_log',
    `INSERT INTO audit_log (trace_id, operation_id, occurred_at, actor_kind, actor_id, organisation_id, role, origin_ip, action, result, categories,
                            purpose, legal_basis, table_id, subject_count)
     SELECT l.trace_id, l.operation_id, l.ended_at, CASE WHEN l.chair_id IS NULL THEN 'system' ELSE 'user' END, l.chair_id, l.organisation_id,
            CASE WHEN l.chair_id IS NOT NULL THEN 'chair' END, l.ip, l.operation, 'allowed',
            CASE WHEN l.chair_id IS NULL THEN ARRAY['identity', 'incidents', 'criminal', 'care'] ELSE $1::text[] END,
            CASE WHEN l.chair_id IS NULL THEN 'retention' ELSE 'case_discussion' END,
            CASE WHEN l.chair_id IS NOT NULL THEN $2 END, l.table_id, 1
       FROM scale_log l ORDER BY l.started_at, l.n, l.operation`,
    [CHAIR_CATEGORIES, DEFAULT_LEGAL_BASIS.COA],
  );
}

/** The Monday on or before the instant's UTC date, as YYYY-MM-DD. */
function mondayBefore(instant: Date): string {
  const day = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}
const minDate = (a: Date, b: Date) => (a < b ? a : b);
const maxDate = (a: Date, b: Date) => (a > b ? a : b);
