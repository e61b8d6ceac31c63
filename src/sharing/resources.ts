import { DEADLINE_CATEGORY, DeadlineKind } from '../cases/case-deadline.entity';
import { incidentCategory, IncidentClassification } from '../cases/incident.entity';
import { measureType } from '../cases/measure-catalogue';
import type { Category } from './categories';

/**
 * How each kind of resource finds the table it belongs to and, for a case-bound one, its case and subject:
 * plain data that AccessService turns into one SQL statement together with the membership and covenant
 * query. Adding a resource type here is all it takes to give it the one access decision (and the access
 * tests walk this map, so it is covered too).
 */
export interface ResourceSpec {
  /** Names the resource in the 404, "Meeting was not found.", whether it does not exist or is not yours. */
  name: string;
  /**
   * The FROM clause: the resource row joined to its table as `t` and, where it has one, to its case as `c`
   * and the case's subject as `s`. A case-bound resource belongs to the table its case is at now, so a
   * transfer takes its incidents, measures and actions along.
   */
  from: string;
  /** The resource's id column. */
  id: string;
  /**
   * `always`: the resource is a case or part of one. `optional`: it may be about a case of its own table
   * (agenda items, nominations); a case that has moved to another table since is not resolved with it.
   */
  case: 'always' | 'optional' | 'none';
  /** The category a row belongs to: if the covenant does not grant it, the row does not exist for the caller. */
  rowCategory?: Category | { column: string; of: (value: string) => Category | undefined };
  /** A partner system sees only the rows its own organisation owns (this column); people see the table's. */
  partnerSystemOwner?: string;
}

const viaCase = (relation: string) =>
  `FROM ${relation} r JOIN case_file c ON c.id = r.case_id JOIN chain_table t ON t.id = c.table_id JOIN subject s ON s.id = c.subject_id`;
const maybeCase = `LEFT JOIN case_file c ON c.id = r.case_id AND c.table_id = t.id LEFT JOIN subject s ON s.id = c.subject_id`;

export const RESOURCES = {
  table: { name: 'Table', from: 'FROM chain_table t', id: 't.id', case: 'none' },
  case: { name: 'Case', from: 'FROM case_file c JOIN chain_table t ON t.id = c.table_id JOIN subject s ON s.id = c.subject_id', id: 'c.id', case: 'always' },
  meeting: { name: 'Meeting', from: 'FROM meeting r JOIN chain_table t ON t.id = r.table_id', id: 'r.id', case: 'none' },
  agendaItem: {
    name: 'Agenda item',
    from: `FROM agenda_item r JOIN meeting mt ON mt.id = r.meeting_id JOIN chain_table t ON t.id = mt.table_id ${maybeCase}`,
    id: 'r.id',
    case: 'optional',
  },
  nomination: { name: 'Nomination', from: `FROM nomination r JOIN chain_table t ON t.id = r.table_id ${maybeCase}`, id: 'r.id', case: 'optional' },
  listImport: { name: 'List import', from: 'FROM list_import r JOIN chain_table t ON t.id = r.table_id', id: 'r.id', case: 'none' },
  // Found by its secret token first; this decides whether its user still sits at the table.
  calendarFeed: { name: 'Calendar feed', from: 'FROM calendar_feed_token r JOIN chain_table t ON t.id = r.table_id', id: 'r.id', case: 'none' },
  action: { name: 'Action', from: viaCase('action'), id: 'r.id', case: 'always', rowCategory: 'deliberation', partnerSystemOwner: 'r.owner_organisation_id' },
  measure: {
    name: 'Measure',
    from: viaCase('measure'),
    id: 'r.id',
    case: 'always',
    // A measure of a type no longer in the catalogue has no known category, so nobody is shown it.
    rowCategory: { column: 'r.type', of: (type: string) => measureType(type)?.category },
  },
  incident: {
    name: 'Incident',
    from: viaCase('incident'),
    id: 'r.id',
    case: 'always',
    rowCategory: { column: 'r.classification', of: (c: string) => incidentCategory(c as IncidentClassification) },
  },
  deadline: {
    name: 'Deadline',
    from: viaCase('case_deadline'),
    id: 'r.id',
    case: 'always',
    rowCategory: { column: 'r.kind', of: (kind: string) => DEADLINE_CATEGORY[kind as DeadlineKind] },
  },
  // Even the existence of an escalation is deliberation.
  escalation: { name: 'Escalation', from: viaCase('escalation'), id: 'r.id', case: 'always', rowCategory: 'deliberation' },
} as const satisfies Record<string, ResourceSpec>;

export type ResourceType = keyof typeof RESOURCES;
export type CaseBinding<K extends ResourceType> = (typeof RESOURCES)[K]['case'];
