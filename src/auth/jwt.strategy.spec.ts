import { KeyObject } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { loadConfig } from '../config/app-config';
import { JwtStrategy } from './jwt.strategy';
import type { RevocationService } from './revocation.service';

describe('JwtStrategy key', () => {
  // Given the secret as a string, jsonwebtoken tries it as a PEM public key first on every verification
  // (createPublicKey was 9 % of a case read's CPU); a KeyObject skips that (issue 11).
  it('hands jsonwebtoken a secret KeyObject that verifies the tokens signed with JWT_SECRET', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const strategy = new JwtStrategy(config, {} as RevocationService) as unknown as {
      _secretOrKeyProvider: (req: unknown, token: string, done: (err: unknown, key?: unknown) => void) => void;
    };
    const token = sign({ sub: 'x' }, config.JWT_SECRET, { algorithm: 'HS256' });
    const key = await new Promise((ok, fail) => strategy._secretOrKeyProvider({}, token, (err, k) => (err ? fail(err) : ok(k))));
    expect(key).toBeInstanceOf(KeyObject);
    expect((key as KeyObject).type).toBe('secret');
    const { verify } = await import('jsonwebtoken');
    expect(verify(token, key as KeyObject, { algorithms: ['HS256'] })).toMatchObject({ sub: 'x' });
  });
});
