import { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password';
import { GlobalRole, OrganisationType } from '../auth/permissions';
import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';

/** Shared by every demo account; listed in the README. Never seeded in production. */
export const DEMO_PASSWORD = 'Demo-Ketentafel-2026';
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
 * an advisory lock makes one of them seed and the others see a non-empty database.
 */
export async function seedDemo(dataSource: DataSource): Promise<DemoSeedResult> {
  return dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    if ((await m.count(Organisation)) > 0) return { seeded: false, organisations: {} };
    const organisations = await seedIdentity(m);
    return { seeded: true, organisations };
  });
}

async function seedIdentity(m: EntityManager): Promise<Record<string, Organisation>> {
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
        passwordChangedAt: new Date(),
      }),
    );
  }
  return organisations;
}
