import { INCIDENT_CLASSIFICATIONS, INCIDENT_KINDS, type IncidentClassification, type IncidentKind } from '../cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../cases/measure-catalogue';
import { ESCALATION_TRACKS, type EscalationTrack } from '../escalations/escalation.entity';
import { DisclosureControl, MIN_POPULATION, shownMedian, type ShownCount } from './disclosure-control';
import type { StatisticsRow } from './statistics.sql';

export const ESCALATION_TRACK_CODES = Object.keys(ESCALATION_TRACKS) as EscalationTrack[];
/** An escalation requested in the period, by its status now: still awaiting an answer (`requested`), or answered, done or withdrawn. */
export const ESCALATION_OUTCOMES = ['requested', 'accepted', 'rejected', 'completed', 'withdrawn'] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];
/** An action due in the period, by what became of it: done by its due date (Europe/Amsterdam), done later, cancelled, or still open. */
export const ACTION_RESULTS = ['completed_on_time', 'completed_late', 'cancelled', 'open'] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];

/** Every figure of one table or one municipality, after disclosure control. */
export interface StatisticsFigures {
  cases: { opened: ShownCount; closed: ShownCount };
  incidents: { total: ShownCount; byKind: Record<IncidentKind, ShownCount>; byClassification: Record<IncidentClassification, ShownCount> };
  measures: { total: ShownCount; byType: Record<string, ShownCount> };
  escalations: { total: ShownCount; byTrack: Record<EscalationTrack, { total: ShownCount; byOutcome: Record<EscalationOutcome, ShownCount> }> };
  indPriority: { requested: ShownCount; decided: ShownCount };
  actions: { due: ShownCount; byResult: Record<ActionResult, ShownCount>; notActedOn: ShownCount };
  medians: { daysToFirstMeasure: number | null; daysToClose: number | null };
}

/** The SQL rows of one level (a table, or all tables), read by figure. */
class Level {
  constructor(
    private readonly rows: StatisticsRow[],
    private readonly tableId: string | null,
  ) {}

  private value(part: StatisticsRow['part'], figure: string, key: string | null = null): number {
    const row = this.rows.find((r) => r.part === part && r.table_id === this.tableId && r.figure === figure && r.key === key);
    return row?.value ?? 0;
  }

  count(figure: string, key: string | null = null): number {
    return this.value('count', figure, key);
  }

  /** Events of `figure` whose key starts with `prefix` (incidents by kind: `theft:` of either classification). */
  countWhere(figure: string, match: (key: string) => boolean): number {
    return this.rows.filter((r) => r.part === 'count' && r.table_id === this.tableId && r.figure === figure && r.key !== null && match(r.key)).reduce((s, r) => s + (r.value ?? 0), 0);
  }

  persons(population: string): number {
    return this.value('persons', population);
  }

  median(figure: string): number | null {
    const row = this.rows.find((r) => r.part === 'median' && r.table_id === this.tableId && r.figure === figure);
    return shownMedian(row?.value ?? null, this.value('median_cases', figure));
  }
}

/** For the municipality's figures: counts are the sums of the tables', people and medians come from the SQL's all-tables rows. */
function sumLevels(rows: StatisticsRow[], tableIds: string[]): StatisticsRow[] {
  const sums = new Map<string, StatisticsRow>();
  for (const r of rows) {
    if (r.part !== 'count' || r.table_id === null || !tableIds.includes(r.table_id)) continue;
    const k = `${r.figure}\u0000${r.key ?? ''}`;
    const s = sums.get(k);
    if (s) s.value = (s.value ?? 0) + (r.value ?? 0);
    else sums.set(k, { ...r, table_id: null });
  }
  return [...rows.filter((r) => r.part !== 'count' && r.table_id === null), ...sums.values()];
}

/**
 * Adds one level's cells (keys prefixed with `p`) and the sums that tie them; returns the keys of the counts,
 * for tying the tables to the municipality.
 */
function addLevel(dc: DisclosureControl, p: string, l: Level): string[] {
  const keys: string[] = [];
  const add = (key: string, value: number, options: { suppress?: boolean; hidden?: boolean } = {}) => {
    dc.add(p + key, value, options);
    keys.push(key);
  };
  const breakdown = (total: string, parts: [string, number][], population: number) => {
    const suppress = population < MIN_POPULATION;
    for (const [key, value] of parts) add(key, value, { suppress });
    dc.sum(p + total, parts.map(([key]) => p + key));
  };

  add('cases.opened', l.count('cases_opened'));
  add('cases.closed', l.count('cases_closed'));

  const kinds = INCIDENT_KINDS.map((k): [string, number] => [`incidents.byKind.${k}`, l.countWhere('incidents', (key) => key.startsWith(`${k}:`))]);
  const classes = INCIDENT_CLASSIFICATIONS.map((c): [string, number] => [`incidents.byClassification.${c}`, l.countWhere('incidents', (key) => key.endsWith(`:${c}`))]);
  add('incidents.total', kinds.reduce((s, [, v]) => s + v, 0));
  breakdown('incidents.total', kinds, l.persons('incidents'));
  breakdown('incidents.total', classes, l.persons('incidents'));

  const types = MEASURE_TYPE_CODES.map((t): [string, number] => [`measures.byType.${t}`, l.count('measures', t)]);
  add('measures.total', types.reduce((s, [, v]) => s + v, 0));
  breakdown('measures.total', types, l.persons('measures'));

  const tracks = ESCALATION_TRACK_CODES.map((t): [string, number] => [`escalations.byTrack.${t}.total`, l.countWhere('escalations', (key) => key.startsWith(`${t}:`))]);
  add('escalations.total', tracks.reduce((s, [, v]) => s + v, 0));
  breakdown('escalations.total', tracks, l.persons('escalations'));
  for (const track of ESCALATION_TRACK_CODES) {
    const outcomes = ESCALATION_OUTCOMES.map((o): [string, number] => [`escalations.byTrack.${track}.byOutcome.${o}`, l.count('escalations', `${track}:${o}`)]);
    breakdown(`escalations.byTrack.${track}.total`, outcomes, l.persons(`escalations:${track}`));
  }
  // Of the IND priority requests, those decided: the rest is never shown, it only closes the sum.
  const requested = 'escalations.byTrack.ind_priority.total';
  const decided = l.count('ind_priority_decided');
  add('indPriority.decided', decided, { suppress: l.persons('escalations:ind_priority') < MIN_POPULATION });
  add('indPriority.undecided', l.countWhere('escalations', (key) => key.startsWith('ind_priority:')) - decided, { hidden: true });
  dc.sum(p + requested, [p + 'indPriority.decided', p + 'indPriority.undecided']);

  const results = ACTION_RESULTS.map((r): [string, number] => [`actions.byResult.${r}`, l.count('actions', r)]);
  const due = results.reduce((s, [, v]) => s + v, 0);
  const population = l.persons('actions');
  add('actions.due', due);
  breakdown('actions.due', results, population);
  const notActedOn = l.count('actions_not_acted_on');
  add('actions.notActedOn', notActedOn, { suppress: population < MIN_POPULATION });
  add('actions.actedOn', due - notActedOn, { hidden: true });
  dc.sum(p + 'actions.due', [p + 'actions.notActedOn', p + 'actions.actedOn']);
  return keys;
}

function figuresOf(dc: DisclosureControl, p: string, l: Level): StatisticsFigures {
  const s = (key: string) => dc.shown(p + key);
  const map = <K extends string>(codes: readonly K[], key: (code: K) => string) => Object.fromEntries(codes.map((c) => [c, s(key(c))])) as Record<K, ShownCount>;
  return {
    cases: { opened: s('cases.opened'), closed: s('cases.closed') },
    incidents: {
      total: s('incidents.total'),
      byKind: map(INCIDENT_KINDS, (k) => `incidents.byKind.${k}`),
      byClassification: map(INCIDENT_CLASSIFICATIONS, (c) => `incidents.byClassification.${c}`),
    },
    measures: { total: s('measures.total'), byType: map(MEASURE_TYPE_CODES, (t) => `measures.byType.${t}`) },
    escalations: {
      total: s('escalations.total'),
      byTrack: Object.fromEntries(
        ESCALATION_TRACK_CODES.map((t) => [t, { total: s(`escalations.byTrack.${t}.total`), byOutcome: map(ESCALATION_OUTCOMES, (o) => `escalations.byTrack.${t}.byOutcome.${o}`) }]),
      ) as StatisticsFigures['escalations']['byTrack'],
    },
    indPriority: { requested: s('escalations.byTrack.ind_priority.total'), decided: s('indPriority.decided') },
    actions: { due: s('actions.due'), byResult: map(ACTION_RESULTS, (r) => `actions.byResult.${r}`), notActedOn: s('actions.notActedOn') },
    medians: { daysToFirstMeasure: l.median('first_measure'), daysToClose: l.median('cases_closed') },
  };
}

export interface MunicipalityFigures {
  /** The municipality's figures: over all its tables. */
  municipality: StatisticsFigures;
  /** Each table's figures, by table id. */
  tables: Map<string, StatisticsFigures>;
  /** The cells suppressed to protect others (complementary suppression), for tests and logs. */
  complements: string[];
}

/**
 * Every figure of a municipality's tables and of the municipality itself, from the rows of STATISTICS_SQL run
 * over all its tables: rounded, `< 10`, or suppressed, decided in one pass over both levels, so that a table's
 * figures and the municipality's cannot be subtracted from each other to reveal what either hides. A
 * municipality with one table has one set of figures, which is both.
 */
export function municipalityFigures(rows: StatisticsRow[], tableIds: string[]): MunicipalityFigures {
  const dc = new DisclosureControl();
  const tables = new Map<string, StatisticsFigures>();
  if (tableIds.length === 1) {
    const l = new Level(rows, tableIds[0]);
    addLevel(dc, '', l);
    dc.apply();
    const figures = figuresOf(dc, '', l);
    tables.set(tableIds[0], figures);
    return { municipality: figures, tables, complements: dc.complements };
  }
  const all = new Level(sumLevels(rows, tableIds), null);
  const keys = addLevel(dc, 'all/', all);
  const levels = tableIds.map((id) => ({ id, prefix: `${id}/`, level: new Level(rows, id) }));
  for (const t of levels) addLevel(dc, t.prefix, t.level);
  // The municipality is the sum of its tables, cell by cell.
  for (const key of keys) dc.sum(`all/${key}`, levels.map((t) => t.prefix + key));
  dc.apply();
  for (const t of levels) tables.set(t.id, figuresOf(dc, t.prefix, t.level));
  return { municipality: figuresOf(dc, 'all/', all), tables, complements: dc.complements };
}
