import { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password';
import { ApiScope, GlobalRole, OrganisationType } from '../auth/permissions';
import { sha256 } from '../auth/token.service';
import { addWorkingDays, amsterdamDate } from '../common/working-days';
import { Organisation } from '../organisations/organisation.entity';
import { installDefaultEscalationRules } from '../escalations/escalation-settings.service';
import { createProcessingActivities, defaultGrants, saveCovenantVersion } from '../tables/covenant-writer';
import { seedDemoMeetings } from './demo-meetings-seed';
import { User } from '../users/user.entity';

/** Shared by every demo account; listed in the README. Never seeded in production. */
export const DEMO_PASSWORD = 'Demo-Ketentafel-2026';

/**
 * The police's partner system in the demo (README: a partner push, webhooks). Its secret is public like the
 * demo password; the demo is never seeded in production.
 */
export const DEMO_API_CLIENT = {
  clientId: 'politie-bvh-demo',
  secret: 'demo-politie-bvh-secret-2026-not-for-production',
  scopes: [ApiScope.IncidentsWrite, ApiScope.ActionsRead, ApiScope.ActionsWrite, ApiScope.EscalationsRead, ApiScope.WebhooksManage],
};
const SEED_LOCK_KEY = 7_204_312;

/** The toolbox's Harderwijk practice example: one municipality, one azc, the weekly chain table's partners. */
export const DEMO_ORGANISATIONS: { key: string; type: OrganisationType; name: string; municipalityCode?: string }[] = [
  { key: 'coa', type: 'COA', name: 'COA azc Harderwijk' },
  { key: 'ind', type: 'IND', name: 'IND Interventieteam' },
  { key: 'dtv', type: 'DTV', name: 'Dienst Terugkeer en Vertrek' },
  { key: 'politie', type: 'POLICE', name: 'Politie basisteam Noord-Veluwe' },
  { key: 'om', type: 'OM', name: 'Openbaar Ministerie Oost-Nederland' },
  { key: 'gemeente', type: 'MUNICIPALITY', name: 'Gemeente Harderwijk', municipalityCode: 'GM0243' },
  { key: 'ketenmarinier', type: 'CHAIN_MARINE', name: 'Ketenmarinier Oost-Nederland' },
  { key: 'beheer', type: 'ADMINISTRATION', name: 'Ketentafel beheer' },
];

export const DEMO_USERS: { email: string; name: string; org: string; roles?: GlobalRole[] }[] = [
  { email: 'coa@demo.ketentafel.nl', name: 'Locatiemanager COA', org: 'coa' },
  { email: 'ind@demo.ketentafel.nl', name: 'Medewerker IND', org: 'ind' },
  { email: 'dtv@demo.ketentafel.nl', name: 'Regievoerder DT&V', org: 'dtv' },
  { email: 'politie@demo.ketentafel.nl', name: 'Wijkagent', org: 'politie' },
  { email: 'om@demo.ketentafel.nl', name: 'Officier van justitie', org: 'om' },
  { email: 'gemeente@demo.ketentafel.nl', name: 'Contactpersoon gemeente', org: 'gemeente' },
  { email: 'ketenmarinier@demo.ketentafel.nl', name: 'Ketenmarinier', org: 'ketenmarinier' },
  { email: 'admin@demo.ketentafel.nl', name: 'Beheerder', org: 'beheer', roles: [GlobalRole.Admin] },
  { email: 'privacy@demo.ketentafel.nl', name: 'Privacy officer', org: 'beheer', roles: [GlobalRole.PrivacyOfficer] },
];

export interface DemoSeedResult {
  seeded: boolean;
  organisations: Record<string, Organisation>;
}

/**
 * Seeds the demo on an empty database (no organisations yet). Several processes may start at once:
 * an advisory lock makes one of them seed and the others see a non-empty database. `now` is the
 * application's Clock (`app.get(Clock).now()`): the demo's dates are laid out around it.
 */
export async function seedDemo(dataSource: DataSource, now: Date): Promise<DemoSeedResult> {
  return dataSource.transaction(async (m) => {
    // Waiting for another process's seed is expected at start-up, and may take longer than a request's lock wait.
    await m.query(`SET LOCAL lock_timeout = '60s'`);
    await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    if ((await m.count(Organisation)) > 0) return { seeded: false, organisations: {} };
    const organisations = await seedIdentity(m, now);
    await seedHarderwijkTable(m, organisations, now);
    return { seeded: true, organisations };
  });
}

async function seedIdentity(m: EntityManager, now: Date): Promise<Record<string, Organisation>> {
  const organisations: Record<string, Organisation> = {};
  for (const o of DEMO_ORGANISATIONS) {
    organisations[o.key] = await m.save(m.create(Organisation, { type: o.type, name: o.name, municipalityCode: o.municipalityCode ?? null, active: true }));
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    await m.save(
      m.create(User, {
        organisationId: organisations[u.org].id,
        name: u.name,
        email: u.email,
        globalRoles: u.roles ?? [],
        passwordHash,
        passwordChangedAt: now,
      }),
    );
  }
  return organisations;
}

/** Fictitious people: V-numbers in the 9000000xxx range, names that say they are demo data. */
const DEMO_CASES = [
  {
    vNumber: '9000000001', familyName: 'Demo-Persoon', givenNames: 'A.', dateOfBirth: '1998-03-14', nationality: 'DZA',
    status: 'active', risk: 'high', procedureStage: 'AA-procedure, beslissing voorgenomen', indPriority: true, careNotes: null,
    strategy: ['nuisance', 'Lik-op-stuk: elk incident leidt tot maatregel; IND behandelt de aanvraag met voorrang.'],
  },
  {
    vNumber: '9000000002', familyName: 'Demo-Persoon', givenNames: 'B.', dateOfBirth: '2001-11-02', nationality: 'MAR',
    status: 'intake', risk: 'medium', procedureStage: 'Aanmelding', indPriority: false, careNotes: 'Verhoogde kwetsbaarheid gemeld door COA-medewerker (demo).',
    strategy: null,
  },
  {
    vNumber: '9000000003', familyName: 'Demo-Persoon', givenNames: 'C.', dateOfBirth: '1995-06-30', nationality: 'TUN',
    status: 'monitoring', risk: 'medium', procedureStage: 'Afgewezen, vertrekplicht', indPriority: false, careNotes: null,
    strategy: ['departure', 'Vertrekgesprekken DT&V binnen de vertrektermijn; bij overlast verwijzing naar TTOV.'],
  },
  {
    vNumber: '9000000004', familyName: 'Demo-Persoon', givenNames: 'D.', dateOfBirth: '1990-01-20', nationality: 'LBY',
    status: 'closed', risk: 'low', procedureStage: 'Vertrokken', indPriority: false, careNotes: null, strategy: null,
  },
] as const;

/**
 * The demo table's public contact card (meldkaart, toolbox section 2.5): the national service numbers of the
 * police and Meld Misdaad Anoniem, the municipality's 14 + area code number, and the azc's own reception.
 */
export const DEMO_CONTACT_CARD = {
  heading: 'Meldkaart overlast en criminaliteit Harderwijk',
  introduction:
    'Voor winkeliers, ondernemers en omwonenden rond het azc Harderwijk. Ziet of ondervindt u overlast of criminaliteit? Meld het: ' +
    'elke melding helpt gemeente, politie en COA om samen snel op te treden.',
  contactPoints: [
    { kind: 'emergency', serviceName: 'Alarmnummer politie, brandweer en ambulance', phone: '112', openingHours: '24 uur per dag', note: 'Alleen bij spoed: direct gevaar of een misdrijf dat nu gebeurt.' },
    {
      kind: 'police',
      serviceName: 'Politie, basisteam Noord-Veluwe',
      phone: '0900-8844',
      openingHours: '24 uur per dag',
      url: 'https://www.politie.nl',
      note: 'Geen spoed: melding of aangifte van overlast, diefstal, winkeldiefstal of vernieling.',
    },
    {
      kind: 'coa',
      serviceName: 'COA azc Harderwijk, receptie',
      phone: '088-715 70 00',
      openingHours: 'Dag en nacht',
      url: 'https://www.coa.nl',
      note: 'Overlast door bewoners van het azc, of vragen over het azc.',
    },
    {
      kind: 'security',
      serviceName: 'Beveiliging azc Harderwijk',
      phone: '088-715 70 00',
      openingHours: 'Dag en nacht, via de receptie van het azc',
      note: 'Overlast op of rond het terrein van het azc; vraag naar de dienstdoende beveiliging.',
    },
    {
      kind: 'municipality',
      serviceName: 'Gemeente Harderwijk, Klant Contact Centrum',
      phone: '14 0341',
      openingHours: 'Maandag t/m vrijdag 8.30–17.00 uur',
      url: 'https://www.harderwijk.nl',
      note: 'Overlast in de openbare ruimte, zoals rommel, vernieling of hangplekken; buitengewoon opsporingsambtenaren (boa’s).',
    },
    { kind: 'other', serviceName: 'Meld Misdaad Anoniem', phone: '0800-7000', openingHours: '24 uur per dag', url: 'https://www.meldmisdaadanoniem.nl', note: 'Anoniem melden van misdaad.' },
  ],
};

/** The weekly casusoverleg in Harderwijk (toolbox practice example), organised by COA on the azc. */
async function seedHarderwijkTable(m: EntityManager, orgs: Record<string, Organisation>, now: Date): Promise<void> {
  const [table] = await m.query(
    `INSERT INTO chain_table (name, coa_location, municipality_code, cadence_rrule, case_reference_prefix, retention_months)
     VALUES ('LKO Harderwijk', 'azc Harderwijk', 'GM0243', 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0', 'HWK', 24) RETURNING id`,
  );
  const members = ['coa', 'ind', 'dtv', 'politie', 'om', 'gemeente', 'ketenmarinier'];
  for (const key of members) {
    await m.query('INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)', [table.id, orgs[key].id]);
  }
  await m.query(
    `INSERT INTO table_membership (table_id, user_id, role)
     SELECT $1, u.id, CASE WHEN u.email = 'coa@demo.ketentafel.nl' THEN 'chair' ELSE 'member' END
       FROM app_user u WHERE u.organisation_id = ANY($2)`,
    [table.id, members.map((k) => orgs[k].id)],
  );
  await createProcessingActivities(m, table.id, 'LKO Harderwijk');
  await saveCovenantVersion(m, table.id, defaultGrants(), null, 'Default covenant (DOMAIN.md section 7)');
  await installDefaultEscalationRules(m, table.id);
  await m.query(`INSERT INTO contact_card (table_id, heading, introduction, contact_points, updated_at) VALUES ($1, $2, $3, $4, $5)`, [
    table.id,
    DEMO_CONTACT_CARD.heading,
    DEMO_CONTACT_CARD.introduction,
    JSON.stringify(DEMO_CONTACT_CARD.contactPoints),
    now,
  ]);

  const today = amsterdamDate(now);
  const year = today.slice(0, 4);
  const caseIds: string[] = [];
  for (const [i, c] of DEMO_CASES.entries()) {
    const [subject] = await m.query(
      `INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality, reception_location)
       VALUES ($1, $2, $3, $4, $5, 'azc Harderwijk') RETURNING id`,
      [c.vNumber, c.familyName, c.givenNames, c.dateOfBirth, c.nationality],
    );
    const [row] = await m.query(
      `INSERT INTO case_file (table_id, subject_id, reference, status, risk_level, coordinator_organisation_id, review_date,
                              procedure_stage, ind_priority, care_notes, opened_at, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $12::date + 14, $7, $8, $9, $13::timestamptz - make_interval(days => $10), $11) RETURNING id`,
      [table.id, subject.id, `HWK-${year}-${String(i + 1).padStart(4, '0')}`, c.status, c.risk, orgs.coa.id, c.procedureStage, c.indPriority,
       c.careNotes, 60 - i * 10, c.status === 'closed' ? now : null, today, now],
    );
    caseIds.push(row.id);
    await m.query(`INSERT INTO case_status_change (case_id, from_status, to_status, reason) VALUES ($1, NULL, $2, 'Demo')`, [row.id, c.status]);
    if (c.strategy) {
      await m.query(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, 1, $2, $3)`, [row.id, c.strategy[0], c.strategy[1]]);
    }
  }
  await m.query(`INSERT INTO case_deadline (case_id, kind, due_date, note) VALUES ($1, 'departure_period_end', $2::date + 21, 'Einde vertrektermijn (demo)')`, [
    caseIds[2],
    today,
  ]);

  const incidents: [number, string, string, string, string, string, boolean, string, string][] = [
    [0, 'coa', 'house_rule_breach', 'nuisance', 'minor', 'Herhaaldelijk geluidsoverlast na 23.00 uur.', false, 'resident', 'COA-2026-101'],
    [0, 'politie', 'shoplifting', 'offence', 'serious', 'Winkeldiefstal in het centrum; aangifte opgenomen.', true, 'shop', 'BVH-2026-5501'],
    [0, 'coa', 'threat', 'nuisance', 'serious', 'Bedreiging van medewerker aan de balie.', false, 'staff_public_duty', 'COA-2026-107'],
    [1, 'politie', 'violence', 'offence', 'severe', 'Mishandeling van beveiliger op het terrein.', true, 'staff_public_duty', 'BVH-2026-5517'],
    [2, 'coa', 'public_nuisance', 'nuisance', 'minor', 'Overlast bij het station gemeld door de vervoerder.', false, 'transport', 'COA-2026-112'],
  ];
  for (const [caseIndex, org, kind, classification, severity, description, aangifte, victim, ref] of incidents) {
    await m.query(
      `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, place, description,
                             reported_to_police, victim_kind, external_reference, created_at)
       VALUES ($1, $2, $3, $4, $5, $10::timestamptz - interval '5 days', 'Harderwijk', $6, $7, $8, $9, $10)`,
      [caseIds[caseIndex], orgs[org].id, kind, classification, severity, description, aangifte, victim, ref, now],
    );
  }
  await m.query(
    `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, ends_at, status, note, created_at) VALUES
       ($1, 'withholding_allowance', $2, 'Regeling verstrekkingen asielzoekers 2005 (Rva), maatregelenbeleid COA', $4::timestamptz - interval '4 days', $4::timestamptz + interval '10 days', 'active', 'Inhouding leefgeld na herhaalde overlast', $4),
       ($1, 'area_ban', $3, 'Art. 172a Gemeentewet / APV Harderwijk', $4::timestamptz - interval '5 days', $4::timestamptz - interval '4 days', 'ended', 'Gebiedsverbod winkelcentrum, 24 uur na winkeldiefstal', $4)`,
    [caseIds[0], orgs.coa.id, orgs.gemeente.id, now],
  );
  // The next meetings, a published agenda, and last week's closed meeting with minutes and actions.
  await seedDemoMeetings(m, table.id, now);
  await seedRequestedEscalation(m, caseIds[2], orgs, today);
  await m.query(`INSERT INTO api_client (organisation_id, name, client_id, secret_hash, scopes) VALUES ($1, 'Politie BVH-koppeling (demo)', $2, $3, $4)`, [
    orgs.politie.id,
    DEMO_API_CLIENT.clientId,
    sha256(DEMO_API_CLIENT.secret).toString('base64'),
    DEMO_API_CLIENT.scopes,
  ]);
}

/**
 * Between meetings in the demo: a TTOV referral the chair requested of DT&V six working days ago, whose
 * response deadline passed yesterday (a working day) unanswered, so the reminders sweep alerts the chair and
 * the chain marine on the first working day after it (the README's walk through the loop).
 */
async function seedRequestedEscalation(m: EntityManager, caseId: string, orgs: Record<string, Organisation>, today: string): Promise<void> {
  const requestedOn = addWorkingDays(today, -6);
  const deadline = addWorkingDays(today, -1);
  await m.query(
    `WITH e AS (
       INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, requested_at, response_due_date, created_at)
       VALUES ($1, 'ttov_referral', 'DTV', $2, 'requested', 'Overlast bij het station na de afwijzing; verwijzing naar het TTOV.',
               $3::date + time '11:00', $4::date, $3::date + time '10:30')
       RETURNING id, created_at, requested_at, requested_by_organisation_id)
     INSERT INTO escalation_event (escalation_id, from_status, to_status, reason, actor_kind, actor_organisation_id, at)
     SELECT id, NULL, 'proposed', 'Voorgesteld in het overleg', 'user', requested_by_organisation_id, created_at FROM e
     UNION ALL
     SELECT id, 'proposed', 'requested', 'Verzocht door de voorzitter', 'user', requested_by_organisation_id, requested_at FROM e`,
    [caseId, orgs.coa.id, requestedOn, deadline],
  );
}
