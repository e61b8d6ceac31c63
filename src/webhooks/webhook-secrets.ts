import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

const FORMAT = 'v1';

/**
 * The signing secrets of webhook subscriptions. A secret is shown once (at creation and rotation) and kept
 * only encrypted: AES-256-GCM under the SHA-256 of WEBHOOK_SECRET_KEY, with the subscription's id as
 * associated data, so a ciphertext copied to another subscription's row does not decrypt. Stored as
 * `v1.<iv>.<ciphertext>.<tag>` (base64). Changing WEBHOOK_SECRET_KEY makes the stored secrets unreadable:
 * rotate every subscription's secret after it.
 */
@Injectable()
export class WebhookSecrets {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = createHash('sha256').update(config.WEBHOOK_SECRET_KEY, 'utf8').digest();
  }

  /** A new secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
  generate(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  encrypt(secret: string, subscriptionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, iv.toString('base64'), ciphertext.toString('base64'), cipher.getAuthTag().toString('base64')].join('.');
  }

  /** Throws when the stored value was not made with this key for this subscription. */
  decrypt(stored: string, subscriptionId: string): string {
    const [format, iv, ciphertext, tag] = stored.split('.');
    if (format !== FORMAT || !iv || !ciphertext || !tag) throw new Error('not an encrypted webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  }
}
