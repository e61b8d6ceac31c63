import { AppConfig } from '../config/app-config';
import { WebhookSecrets } from './webhook-secrets';

describe('webhook signing secrets', () => {
  const sut = new WebhookSecrets({ WEBHOOK_SECRET_KEY: 'k'.repeat(40) } as AppConfig);
  const id = '2f1e8a55-4b0e-4c1a-9d2f-3a4b5c6d7e8f';

  it('makes Standard Webhooks secrets of 32 random bytes', () => {
    const secret = sut.generate();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(sut.generate()).not.toBe(secret);
  });

  it('encrypts them so that only this key, for this subscription, decrypts them', () => {
    const secret = sut.generate();
    const stored = sut.encrypt(secret, id);
    expect(stored).not.toContain(secret.slice(6, 20));
    expect(sut.encrypt(secret, id)).not.toBe(stored);
    expect(sut.decrypt(stored, id)).toBe(secret);
    expect(() => sut.decrypt(stored, '00000000-0000-4000-8000-000000000000')).toThrow();
    expect(() => new WebhookSecrets({ WEBHOOK_SECRET_KEY: 'o'.repeat(40) } as AppConfig).decrypt(stored, id)).toThrow();
    const [format, iv, ciphertext, tag] = stored.split('.');
    const flipped = Buffer.from(ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() => sut.decrypt([format, iv, flipped.toString('base64'), tag].join('.'), id)).toThrow();
  });
});
