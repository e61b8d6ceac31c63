import type { OrganisationType } from '../auth/permissions';

/** Every personal-data field belongs to exactly one of these (DOMAIN.md section 7). */
export const CATEGORIES = ['identity', 'residence', 'procedure', 'incidents', 'criminal', 'measures', 'care', 'return', 'deliberation'] as const;
export type Category = (typeof CATEGORIES)[number];

const KNOWN: ReadonlySet<string> = new Set(CATEGORIES);
/** For values read back from JSON: anything else is no category, and a reader must then show nothing. */
export const isCategory = (value: unknown): value is Category => typeof value === 'string' && KNOWN.has(value);

/** Chain partners that can sit at a table (ADMINISTRATION is the operator, never a member). */
export const MEMBER_ORGANISATION_TYPES = [
  'COA', 'IND', 'DTV', 'POLICE', 'OM', 'MUNICIPALITY', 'CHAIN_MARINE', 'NIDOS', 'CHILD_PROTECTION',
  'REFUGEE_COUNCIL', 'KMAR', 'DJI', 'SAFETY_HOUSE', 'TRANSPORT_OPERATOR',
] as const satisfies readonly OrganisationType[];
export type MemberOrganisationType = (typeof MEMBER_ORGANISATION_TYPES)[number];

const ALL = MEMBER_ORGANISATION_TYPES;

/** The default covenant matrix of DOMAIN.md section 7: which organisation types see which category. */
export const DEFAULT_MATRIX: Record<Category, readonly MemberOrganisationType[]> = {
  identity: ALL,
  residence: ['COA', 'IND', 'DTV', 'POLICE', 'MUNICIPALITY', 'CHAIN_MARINE'],
  procedure: ['IND', 'COA', 'DTV', 'POLICE', 'CHAIN_MARINE'],
  incidents: ['COA', 'POLICE', 'MUNICIPALITY', 'IND', 'DTV', 'CHAIN_MARINE'],
  criminal: ['POLICE', 'OM', 'IND', 'DTV', 'CHAIN_MARINE'],
  measures: ALL,
  care: ['COA', 'NIDOS'],
  return: ['DTV', 'IND', 'COA', 'POLICE', 'CHAIN_MARINE'],
  deliberation: ALL,
};

/**
 * Lawful grounds of art. 6(1) AVG a covenant may record. Consent (a), contract (b) and legitimate
 * interest (f) are not open to public partners for this processing and cannot be chosen.
 */
export const LAWFUL_GROUNDS = ['legal_obligation', 'public_task', 'vital_interests'] as const;
export type LawfulGround = (typeof LAWFUL_GROUNDS)[number];

/** Default legal-basis text per organisation type, used when a table starts from the default matrix. */
export const DEFAULT_LEGAL_BASIS: Record<MemberOrganisationType, string> = {
  COA: 'Art. 6 lid 1 sub e AVG; Wet COA art. 3 (opvang en begeleiding)',
  IND: 'Art. 6 lid 1 sub e AVG; Vreemdelingenwet 2000 art. 107',
  DTV: 'Art. 6 lid 1 sub e AVG; Vreemdelingenwet 2000 art. 107, Instellingsbesluit DT&V',
  POLICE: 'Art. 6 lid 1 sub e AVG; Wet politiegegevens art. 19 en 20 (samenwerkingsverband)',
  OM: 'Art. 6 lid 1 sub e AVG; Wet justitiële en strafvorderlijke gegevens art. 39f',
  MUNICIPALITY: 'Art. 6 lid 1 sub e AVG; Gemeentewet art. 172 en 172a (openbare orde)',
  CHAIN_MARINE: 'Art. 6 lid 1 sub e AVG; taakopdracht ketenmarinier (Ministerie van Asiel en Migratie)',
  NIDOS: 'Art. 6 lid 1 sub c AVG; Burgerlijk Wetboek boek 1 art. 302 (voogdij)',
  CHILD_PROTECTION: 'Art. 6 lid 1 sub e AVG; Jeugdwet art. 7.1.1',
  REFUGEE_COUNCIL: 'Art. 6 lid 1 sub e AVG; subsidieopdracht rechtsbijstand asielzoekers',
  KMAR: 'Art. 6 lid 1 sub e AVG; Wet politiegegevens art. 19',
  DJI: 'Art. 6 lid 1 sub e AVG; Penitentiaire beginselenwet',
  SAFETY_HOUSE: 'Art. 6 lid 1 sub e AVG; Wet gegevensverwerking samenwerkingsverbanden',
  TRANSPORT_OPERATOR: 'Art. 6 lid 1 sub e AVG; Wet personenvervoer 2000 (boa openbaar vervoer)',
};
