import type { Category, MemberOrganisationType } from '../sharing/categories';

/** The categories a measure can fall under; its type decides which (DOMAIN.md sections 5 and 7). */
export const MEASURE_CATEGORIES = ['measures', 'criminal', 'return', 'procedure'] as const satisfies readonly Category[];
export type MeasureCategory = (typeof MEASURE_CATEGORIES)[number];

export interface MeasureType {
  code: string;
  labelNl: string;
  labelEn: string;
  /** Organisation types that may impose (or, for a civil-law measure, record) it. */
  imposedBy: readonly MemberOrganisationType[];
  /** Stored on each measure as it was when imposed, so a later edit of this text does not rewrite history. */
  legalBasis: string;
  category: MeasureCategory;
  /** Applied when a measure is recorded without `endsAt`. */
  defaultDurationHours?: number;
}

const COA_LADDER = 'Wet COA art. 3; Rva 2005; COA-maatregelenbeleid en escalatieladder (Kamerbrief aanpak overlast 2025)';

/**
 * The toolbox of DOMAIN.md section 5 (from seeds/000 and 001). Order is the order served to clients:
 * by imposing organisation, then roughly from light to heavy.
 */
export const MEASURE_CATALOGUE: readonly MeasureType[] = [
  // COA: the escalation ladder on and between locations.
  {
    code: 'withholding_allowance',
    labelNl: 'Inhouding leefgeld/verstrekkingen',
    labelEn: 'Withholding of allowances',
    imposedBy: ['COA'],
    legalBasis: 'Rva 2005 (Regeling verstrekkingen asielzoekers en andere categorieën vreemdelingen); COA-maatregelenbeleid',
    category: 'measures',
  },
  { code: 'intensive_guidance', labelNl: 'Intensieve begeleiding op locatie (Ibl)', labelEn: 'Intensive guidance on location', imposedBy: ['COA'], legalBasis: COA_LADDER, category: 'measures' },
  { code: 'ambulant_support_team', labelNl: 'Ambulant OndersteuningsTeam (AOT)', labelEn: 'Ambulant support team', imposedBy: ['COA'], legalBasis: COA_LADDER, category: 'measures' },
  {
    code: 'pbl_placement',
    labelNl: 'Plaatsing in de procesbeschikbaarheidslocatie (PBL, Ter Apel)',
    labelEn: 'Placement in the process-availability location',
    imposedBy: ['COA'],
    legalBasis: COA_LADDER,
    category: 'measures',
  },
  {
    code: 'htl_placement',
    labelNl: 'Plaatsing in de handhaving- en toezichtlocatie (HTL, Hoogeveen)',
    labelEn: 'Placement in the enforcement and supervision location',
    imposedBy: ['COA'],
    legalBasis: 'Vreemdelingenwet 2000 art. 56 (vrijheidsbeperkende maatregel)',
    category: 'measures',
  },
  { code: 'location_transfer', labelNl: 'Overplaatsing naar een andere locatie', labelEn: 'Transfer to another location', imposedBy: ['COA'], legalBasis: 'Wet COA art. 3; Rva 2005', category: 'measures' },
  // Municipality: the mayor's public-order powers.
  {
    code: 'area_ban',
    labelNl: 'Gebiedsverbod',
    labelEn: 'Area ban',
    imposedBy: ['MUNICIPALITY'],
    legalBasis: 'Gemeentewet art. 172 lid 3 of art. 172a, of de APV',
    category: 'measures',
    // Several mayors impose 24 hours as standard after shoplifting (toolbox 3.2).
    defaultDurationHours: 24,
  },
  { code: 'reporting_duty', labelNl: 'Meldplicht', labelEn: 'Reporting duty', imposedBy: ['MUNICIPALITY'], legalBasis: 'Gemeentewet art. 172a', category: 'measures' },
  { code: 'group_ban', labelNl: 'Groepsverbod', labelEn: 'Group ban', imposedBy: ['MUNICIPALITY'], legalBasis: 'Gemeentewet art. 172a', category: 'measures' },
  { code: 'alcohol_ban', labelNl: 'Alcoholverbod', labelEn: 'Alcohol ban', imposedBy: ['MUNICIPALITY'], legalBasis: 'APV van de gemeente', category: 'measures' },
  {
    code: 'security_risk_area',
    labelNl: 'Aanwijzing veiligheidsrisicogebied',
    labelEn: 'Designated security-risk area',
    imposedBy: ['MUNICIPALITY'],
    legalBasis: 'Gemeentewet art. 151b',
    category: 'measures',
  },
  // Shops impose it under civil law; the table records it through the municipality or the police.
  {
    code: 'collective_shop_ban',
    labelNl: 'Collectief winkelverbod',
    labelEn: 'Collective shop ban',
    imposedBy: ['MUNICIPALITY', 'POLICE'],
    legalBasis: 'Burgerlijk recht (huisrecht van ondernemers); CCV-model Protocol Collectief Winkelverbod',
    category: 'measures',
  },
  // Public prosecution: swift criminal response (art. 10 AVG data, so category criminal).
  { code: 'zsm_settlement', labelNl: 'ZSM-afdoening', labelEn: 'ZSM settlement', imposedBy: ['OM'], legalBasis: 'Wetboek van Strafvordering (ZSM-werkwijze; strafbeschikking art. 257a Sv)', category: 'criminal' },
  { code: 'fast_track_trial', labelNl: '(Super)snelrecht', labelEn: '(Super) fast-track trial', imposedBy: ['OM'], legalBasis: 'Wetboek van Strafvordering (snelrecht)', category: 'criminal' },
  { code: 'immediate_execution', labelNl: 'Directe tenuitvoerlegging', labelEn: 'Immediate execution', imposedBy: ['OM'], legalBasis: 'Wetboek van Strafvordering (lik-op-stukbeleid)', category: 'criminal' },
  // IND: the intervention team's priority track.
  {
    code: 'priority_handling',
    labelNl: 'Voorrangsbehandeling asielaanvraag (interventieteam)',
    labelEn: 'Priority handling of the asylum application',
    imposedBy: ['IND'],
    legalBasis: 'Vreemdelingenwet 2000; IND-beleid voorrang overlastgevende asielzoekers',
    category: 'procedure',
  },
  // DT&V: the return track.
  { code: 'departure_interview', labelNl: 'Vertrekgesprek', labelEn: 'Departure interview', imposedBy: ['DTV'], legalBasis: 'Vreemdelingenwet 2000 art. 61 (vertrekplicht); Instellingsbesluit DT&V', category: 'return' },
  { code: 'detention_for_removal', labelNl: 'Vreemdelingenbewaring', labelEn: 'Detention for removal', imposedBy: ['DTV'], legalBasis: 'Vreemdelingenwet 2000 art. 59', category: 'return' },
];

export const MEASURE_TYPE_CODES: readonly string[] = MEASURE_CATALOGUE.map((t) => t.code);

const BY_CODE = new Map(MEASURE_CATALOGUE.map((t) => [t.code, t]));

export const measureType = (code: string): MeasureType | undefined => BY_CODE.get(code);

/** Categories whose measures a viewer granted `granted` may see, as the list of type codes (for SQL). */
export const visibleMeasureTypes = (granted: ReadonlySet<Category>): string[] =>
  MEASURE_CATALOGUE.filter((t) => granted.has(t.category)).map((t) => t.code);
