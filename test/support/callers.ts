import { ApiScope, GlobalRole, TableRole } from '../../src/auth/permissions';
import { givenMembership, givenOrganisation, givenUser } from './factories';
import type { FullFixture } from './full-fixture';
import { bearer, login, partnerToken } from './test-app';

/**
 * Who calls, for the tests that call every route as everyone (the fuzz and the authorization matrix),
 * on top of the full fixture:
 * - `chair` and `member`: the COA chair and the police member of the fixture's table;
 * - `outsider`: a colleague of the chair (same organisation, which is a member of both tables) who has a
 *   membership of the other table only, as its chair: sitting at one table opens nothing of another;
 * - `disabled`: a member of the table whose account an administrator disabled after login;
 * - partner systems of the police (a member organisation): one without scopes and one per scope, and
 *   one holding every scope.
 */
export const USER_CALLERS = ['admin', 'privacyOfficer', 'chair', 'member', 'outsider', 'disabled'] as const;
export type UserCaller = (typeof USER_CALLERS)[number];

export const SCOPE_CALLERS = Object.values(ApiScope).map((s) => `partner:${s}` as const);
export type ScopeCaller = (typeof SCOPE_CALLERS)[number];

export const CALLERS = ['anonymous', ...USER_CALLERS, 'partner:none', ...SCOPE_CALLERS, 'partner:all'] as const;
export type Caller = (typeof CALLERS)[number];

export interface Callers {
  /** The bearer token of each caller; none for `anonymous`. */
  tokens: Record<Caller, string | undefined>;
  /** The account behind each user caller, and the operator's organisation of the administrator and privacy officer. */
  users: Record<UserCaller, { id: string; email: string; organisationId: string }>;
  administration: string;
  /**
   * A second session of a user with the same global roles, per user caller: for the routes that end the
   * caller's sessions (logout, a password change), so that the caller's own token keeps working.
   */
  spare: Record<Exclude<UserCaller, 'disabled'>, string>;
  /** The partner systems' organisation. */
  partnerOrganisationId: string;
}

export const authorization = (callers: Callers, caller: Caller): Record<string, string> => {
  const token = callers.tokens[caller];
  return token ? bearer(token) : {};
};

export async function buildCallers(f: FullFixture): Promise<Callers> {
  const { t, table, otherTable } = f;
  const ds = t.dataSource;
  const administration = await givenOrganisation(ds, 'ADMINISTRATION');
  const admin = await givenUser(ds, administration, [GlobalRole.Admin]);
  const privacyOfficer = await givenUser(ds, administration, [GlobalRole.PrivacyOfficer]);
  const adminToken = (await login(t, admin.email)).accessToken;

  const coa = table.organisations.COA!;
  await ds.query(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [otherTable.id, coa]);
  const outsider = await givenUser(ds, coa);
  // A table has one chair: the outsider takes it over.
  await ds.query(`UPDATE table_membership SET role = 'member' WHERE table_id = $1 AND role = 'chair'`, [otherTable.id]);
  await givenMembership(ds, otherTable.id, outsider.id, TableRole.Chair);

  const disabled = await givenUser(ds, table.organisations.MUNICIPALITY!);
  await givenMembership(ds, table.id, disabled.id);
  const disabledToken = (await login(t, disabled.email)).accessToken;
  const res = await t.http().patch(`/api/v1/users/${disabled.id}`).set(bearer(adminToken)).send({ disabled: true });
  if (res.status !== 200) throw new Error(`callers: disabling a user answered ${res.status}: ${res.text}`);

  const police = table.organisations.POLICE!;
  const partner = (scopes: ApiScope[]) => partnerToken(t, adminToken, police, scopes);
  const scoped = Object.fromEntries(await Promise.all(Object.values(ApiScope).map(async (s) => [`partner:${s}`, await partner([s])]))) as Record<ScopeCaller, string>;

  const emailOf = async (id: string): Promise<string> => (await ds.query(`SELECT email FROM app_user WHERE id = $1`, [id]))[0].email;
  const spareOf = async (organisationId: string, roles: string[] = []) => (await login(t, (await givenUser(ds, organisationId, roles)).email)).accessToken;
  return {
    tokens: {
      anonymous: undefined,
      admin: adminToken,
      privacyOfficer: (await login(t, privacyOfficer.email)).accessToken,
      chair: f.viewers.COA.chair.token,
      member: f.viewers.POLICE.member.token,
      outsider: (await login(t, outsider.email)).accessToken,
      disabled: disabledToken,
      'partner:none': await partner([]),
      ...scoped,
      'partner:all': await partner(Object.values(ApiScope)),
    },
    users: {
      admin: { ...admin, organisationId: administration },
      privacyOfficer: { ...privacyOfficer, organisationId: administration },
      chair: { id: f.viewers.COA.chair.id, email: await emailOf(f.viewers.COA.chair.id), organisationId: coa },
      member: { id: f.viewers.POLICE.member.id, email: await emailOf(f.viewers.POLICE.member.id), organisationId: police },
      outsider: { ...outsider, organisationId: coa },
      disabled: { ...disabled, organisationId: table.organisations.MUNICIPALITY! },
    },
    administration,
    spare: {
      admin: await spareOf(administration, [GlobalRole.Admin]),
      privacyOfficer: await spareOf(administration, [GlobalRole.PrivacyOfficer]),
      chair: await spareOf(coa),
      member: await spareOf(police),
      outsider: await spareOf(coa),
    },
    partnerOrganisationId: police,
  };
}
