import type { Category } from '../sharing/categories';

/**
 * What the register of processing activities (art. 30 AVG) says of each activity beyond the covenant: its
 * name, its purpose and whose data it holds. One activity per table and category; the legal bases and
 * recipients come from the covenant in force, the retention from the table (see ProcessingRegisterService).
 */

/** Whose personal data an activity holds (art. 30(1)(c) AVG). */
export const DATA_SUBJECT_CATEGORIES = ['foreign_national', 'chain_partner_staff'] as const;
export type DataSubjectCategory = (typeof DATA_SUBJECT_CATEGORIES)[number];

export const ACTIVITY_NAMES: Record<Category, string> = {
  identity: 'Identificatie van de besproken persoon',
  residence: 'Verblijf en overplaatsingen',
  procedure: 'Afstemming met de asielprocedure en het voorrangsspoor',
  incidents: 'Registratie van overlast- en huisregelincidenten',
  criminal: 'Strafrechtelijke gegevens (art. 10 AVG)',
  measures: 'Opgelegde maatregelen',
  care: 'Zorg en kwetsbaarheid (art. 9 AVG)',
  return: 'Vertrek en terugkeer',
  deliberation: 'Besluiten en afspraken van het casusoverleg',
};

const PURPOSE_PREFIX = 'Casusoverleg over overlast en criminaliteit door asielzoekers: ';

export const ACTIVITY_PURPOSES: Record<Category, string> = {
  identity: `${PURPOSE_PREFIX}vaststellen om wie het gaat, zodat alle ketenpartners aan tafel dezelfde persoon bespreken.`,
  residence: `${PURPOSE_PREFIX}weten waar de persoon verblijft en overplaatsingen volgen, zodat de juiste tafel de casus behandelt.`,
  procedure: `${PURPOSE_PREFIX}de aanpak afstemmen op de stand van de asielprocedure en het voorrangsspoor van de IND.`,
  incidents: `${PURPOSE_PREFIX}overlast- en huisregelincidenten vastleggen als grond voor maatregelen (dossieropbouw).`,
  criminal: `${PURPOSE_PREFIX}verdenkingen, aangiften en veroordelingen delen voor een snelle strafrechtelijke reactie en dossieropbouw.`,
  measures: `${PURPOSE_PREFIX}opgelegde maatregelen op elkaar afstemmen en volgen (lik-op-stuk).`,
  care: `${PURPOSE_PREFIX}rekening houden met zorg, kwetsbaarheid en voogdij over minderjarigen.`,
  return: `${PURPOSE_PREFIX}de aanpak afstemmen op het vertrektraject (DT&V, TTOV).`,
  deliberation: `${PURPOSE_PREFIX}besluiten en afspraken (welke actie door wie) vastleggen en opvolgen.`,
};

/** The staff of the partners appear in the table's own deliberation only (owners of agreed actions). */
export const defaultDataSubjects = (category: Category): DataSubjectCategory[] =>
  category === 'deliberation' ? ['foreign_national', 'chain_partner_staff'] : ['foreign_national'];

/** The register names each activity after its table, so that a register across tables reads on its own. */
export const activityName = (tableName: string, category: Category) => `${tableName}: ${ACTIVITY_NAMES[category]}`;
