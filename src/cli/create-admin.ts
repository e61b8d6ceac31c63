import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { hashPassword, PASSWORD_MIN_LENGTH } from '../auth/password';
import { newSecret, sha256 } from '../auth/token.service';
import { ConfigError, loadConfig } from '../config/app-config';
import { preflight, UnreachableError } from '../config/preflight';
import { prepareDatabase } from '../db/bootstrap';
import { dataSourceOptions } from '../db/data-source-options';

const USAGE = 'Usage: npm run create-admin -- --email <e-mail> --name "<name>" [--organisation "<name>"]   (ADMIN_PASSWORD in the environment sets a password; otherwise an invite token is printed)';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Creates the first administrator (production never seeds the demo). Prints an invite token unless ADMIN_PASSWORD is set. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const email = arg('email');
  const name = arg('name');
  const organisation = arg('organisation') ?? 'Ketentafel beheer';
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || !name) throw new ConfigError(USAGE);
  const password = process.env.ADMIN_PASSWORD;
  if (password !== undefined && password.length < PASSWORD_MIN_LENGTH) {
    throw new ConfigError(`ADMIN_PASSWORD must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  const config = loadConfig();
  await preflight(config);
  await prepareDatabase(config);
  const ds = await new DataSource(dataSourceOptions(config.DATABASE_URL)).initialize();
  try {
    const invite = password ? undefined : newSecret();
    await ds.transaction(async (m) => {
      const [existing] = await m.query('SELECT id FROM organisation WHERE name = $1', [organisation]);
      const orgId =
        existing?.id ?? (await m.query(`INSERT INTO organisation (type, name) VALUES ('ADMINISTRATION', $1) RETURNING id`, [organisation]))[0].id;
      await m.query(
        `INSERT INTO app_user (organisation_id, name, email, global_roles, password_hash, password_changed_at, invite_token_hash, invite_expires_at)
         VALUES ($1, $2, $3, '{admin}', $4, $5, $6, $7)`,
        [orgId, name, email, password ? await hashPassword(password) : null, password ? new Date() : null, invite ? sha256(invite) : null, invite ? new Date(Date.now() + 7 * 86_400_000) : null],
      );
    });
    console.log(
      invite
        ? `Administrator created. Invite token (valid 7 days, shown once): ${invite}\nSet a password with POST /api/v1/auth/accept-invitation {"inviteToken": "...", "password": "..."}`
        : 'Administrator created with the password from ADMIN_PASSWORD.',
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  if (e instanceof ConfigError || e instanceof UnreachableError) console.error(err.message);
  else if (err.code === '23505') console.error('A user with this e-mail address exists already.');
  else console.error('create-admin failed:', err.message ?? e);
  process.exit(1);
});
