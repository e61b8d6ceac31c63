import { AppConfig, ConfigError, loadConfig } from './app-config';
import { postgresProblem, preflight, redisProblem, UnreachableError } from './preflight';

describe('loadConfig', () => {
  it('gives working defaults for a developer machine', () => {
    const sut = loadConfig({});
    expect(sut.PORT).toBe(3000);
    expect(sut.DATABASE_URL).toContain('127.0.0.1:5432');
    expect(sut.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(sut.DEMO_SEED).toBe(true);
    expect(sut.HOST).toBe('127.0.0.1');
    expect(sut.PUBLIC_BASE_URL).toBe('http://localhost:3000');
    expect(sut.METRICS_TOKEN).toBeUndefined();
    expect(sut.METRICS_PORT).toBeUndefined();
    expect(sut.METRICS_HOST).toBe('127.0.0.1');
  });

  it('derives PUBLIC_BASE_URL from PORT (and from HOST when it is one address) unless it is set', () => {
    expect(loadConfig({ PORT: '3204' }).PUBLIC_BASE_URL).toBe('http://localhost:3204');
    expect(loadConfig({ PORT: '3204' }).publicBaseUrlFollowsPort).toBe(true);
    expect(loadConfig({ PORT: '3204', HOST: '0.0.0.0' }).PUBLIC_BASE_URL).toBe('http://localhost:3204');
    expect(loadConfig({ PORT: '3204', HOST: '10.1.2.3' }).PUBLIC_BASE_URL).toBe('http://10.1.2.3:3204');
    expect(loadConfig({ PORT: '3204', HOST: 'fd00::5' }).PUBLIC_BASE_URL).toBe('http://[fd00::5]:3204');
    const set = loadConfig({ PORT: '3204', PUBLIC_BASE_URL: 'https://ketentafel.example.nl' });
    expect(set.PUBLIC_BASE_URL).toBe('https://ketentafel.example.nl');
    expect(set.publicBaseUrlFollowsPort).toBe(false);
  });

  it.each(['abc', '1.5', '-1', '70000', '3e3'])('says PORT=%s is not a number in its range', (value) => {
    expect(() => loadConfig({ PORT: value })).toThrow(/^Invalid configuration: PORT must be a number from 0 to 65535$/);
  });

  it('gives every numeric variable the same clear message', () => {
    const numeric = Object.entries(new AppConfig()).filter(([k, v]) => /^[A-Z_]+$/.test(k) && typeof v === 'number').map(([k]) => k);
    expect(numeric.length).toBeGreaterThan(20);
    for (const key of [...numeric, 'METRICS_PORT']) {
      expect(() => loadConfig({ [key]: 'abc' })).toThrow(new RegExp(`^Invalid configuration: ${key} must be a number (from \\d+ to \\d+|of at least \\d+)$`));
    }
  });

  it('takes LOG_FORMAT json or pretty, and nothing else', () => {
    expect(loadConfig({}).LOG_FORMAT).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/^Invalid configuration: LOG_FORMAT must be one of json, pretty$/);
  });

  it('takes a metrics token of at least 32 characters and a metrics port other than PORT', () => {
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(32), METRICS_PORT: '9464' })).toMatchObject({ METRICS_TOKEN: 'm'.repeat(32), METRICS_PORT: 9464 });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^Invalid configuration: METRICS_TOKEN must be at least 32 characters$/);
    expect(() => loadConfig({ METRICS_PORT: '3000' })).toThrow(/^Invalid configuration: METRICS_PORT must differ from PORT/);
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT must be a number from 0 to 65535$/],
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

  it('wants HOST set in production', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40) };
    expect(() => loadConfig(production)).toThrow(/^Invalid configuration: HOST must be set in production/);
    expect(loadConfig({ ...production, HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('refuses development secrets in production and never seeds the demo there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0' })).toThrow(/JWT_SECRET must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40) })).toThrow(/WEBHOOK_SECRET_KEY must be set in production/);
    const sut = loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40), DEMO_SEED: 'true' });
    expect(sut.DEMO_SEED).toBe(false);
    expect(sut.DB_BOOTSTRAP).toBe(false);
  });

  it('takes a sender with or without a display name, and wants one set in production when e-mail is sent', () => {
    expect(loadConfig({ MAIL_FROM: 'noreply@ketentafel.example.nl' }).MAIL_FROM).toBe('noreply@ketentafel.example.nl');
    expect(loadConfig({ MAIL_FROM: 'LKO Harderwijk <lko@harderwijk.example.nl>' }).MAIL_FROM).toBe('LKO Harderwijk <lko@harderwijk.example.nl>');
    const production = { NODE_ENV: 'production', HOST: '0.0.0.0', JWT_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40), WEBHOOK_SECRET_KEY: 'w'.repeat(40) };
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

describe('problem lines', () => {
  it('never repeat a password of the URL', () => {
    for (const code of ['28P01', '28000', '3D000', 'ECONNREFUSED', 'XX000']) {
      const line = postgresProblem(Object.assign(new Error('password authentication failed'), { code }), 'postgres://kt:s3cret-pw@db.example.nl:5432/kt', 'DATABASE_URL');
      expect(line).not.toContain('s3cret-pw');
      expect(line).toContain('DATABASE_URL');
    }
    expect(redisProblem(new Error('WRONGPASS invalid username-password pair'), 'redis://:s3cret-pw@127.0.0.1:6379')).not.toContain('s3cret-pw');
  });
});
