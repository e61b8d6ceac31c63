import { ConfigError, loadConfig } from './app-config';
import { preflight, UnreachableError } from './preflight';

describe('loadConfig', () => {
  it('gives working defaults for a developer machine', () => {
    const sut = loadConfig({});
    expect(sut.PORT).toBe(3000);
    expect(sut.DATABASE_URL).toContain('127.0.0.1:5432');
    expect(sut.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(sut.DEMO_SEED).toBe(true);
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT /],
    ['DATABASE_URL', 'mysql://x', /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ connection URL$/],
    ['REDIS_URL', 'localhost', /^Invalid configuration: REDIS_URL must be a redis:\/\//],
    ['JWT_SECRET', 'short', /^Invalid configuration: JWT_SECRET must be at least 32 characters$/],
    ['DEMO_SEED', 'maybe', /^Invalid configuration: DEMO_SEED /],
    ['SMTP_URL', 'mail.example.nl:25', /^Invalid configuration: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL$/],
    ['MAIL_FROM', 'Ketentafel', /^Invalid configuration: MAIL_FROM must be an e-mail address/],
    ['MAIL_SEND_TIMEOUT_MS', '0', /^Invalid configuration: MAIL_SEND_TIMEOUT_MS /],
  ])('stops on a malformed %s with one line naming it', (key, value, message) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [key]: value });
    } catch (e) {
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('refuses development secrets in production and never seeds the demo there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40) })).toThrow(/WEBHOOK_SECRET_KEY must be set in production/);
    const sut = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40), DEMO_SEED: 'true' });
    expect(sut.DEMO_SEED).toBe(false);
    expect(sut.DB_BOOTSTRAP).toBe(false);
  });

  it('takes a sender with or without a display name, and wants one set in production when e-mail is sent', () => {
    expect(loadConfig({ MAIL_FROM: 'noreply@ketentafel.example.nl' }).MAIL_FROM).toBe('noreply@ketentafel.example.nl');
    expect(loadConfig({ MAIL_FROM: 'LKO Harderwijk <lko@harderwijk.example.nl>' }).MAIL_FROM).toBe('LKO Harderwijk <lko@harderwijk.example.nl>');
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40) };
    expect(loadConfig(production).SMTP_URL).toBeUndefined();
    expect(() => loadConfig({ ...production, SMTP_URL: 'smtps://mail.example.nl' })).toThrow(/^Invalid configuration: MAIL_FROM must be set in production when SMTP_URL is set/);
    expect(loadConfig({ ...production, SMTP_URL: 'smtps://mail.example.nl', MAIL_FROM: 'noreply@ketentafel.example.nl' }).SMTP_URL).toBe('smtps://mail.example.nl');
  });
});

describe('preflight', () => {
  it('names the variable to set when PostgreSQL is unreachable', async () => {
    const config = loadConfig({ MIGRATION_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/ketentafel' });
    await expect(preflight(config)).rejects.toThrow(UnreachableError);
    await expect(preflight(config)).rejects.toThrow(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\); start it or set MIGRATION_DATABASE_URL/);
  });

  it('names REDIS_URL when Redis is unreachable', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
    await expect(preflight(config)).rejects.toThrow(/^Cannot reach Redis at 127\.0\.0\.1:1 \(.+\); start it or set REDIS_URL$/);
  });
});
