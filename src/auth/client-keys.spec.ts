import { generateKeyPairSync } from 'node:crypto';
import { candidateKeys, jwkThumbprint, KeyRegistrationError, registeredKeys } from './client-keys';

/** The RSA key of RFC 7517 appendix A.1, whose thumbprint RFC 7638 section 3.1 gives. */
const RFC_KEY = {
  kty: 'RSA' as const,
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
};

function refusal(input: Parameters<typeof registeredKeys>[0]) {
  try {
    registeredKeys(input);
  } catch (e) {
    if (e instanceof KeyRegistrationError) return e.invalidParams;
    throw e;
  }
  throw new Error('accepted');
}

describe('client keys (private_key_jwt registrations)', () => {
  it('computes the RFC 7638 thumbprint, the kid of a key registered without one', () => {
    expect(jwkThumbprint(RFC_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    expect(registeredKeys({ jwks: { keys: [{ ...RFC_KEY, alg: 'RS256' }] } })).toEqual({
      keys: [{ ...RFC_KEY, kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', alg: 'RS256', use: 'sig' }],
    });
  });

  it('refuses private and symmetric members, naming them, however the JWK arrives', () => {
    const priv = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    expect(refusal({ jwks: { keys: [priv] } })).toEqual([{ name: 'jwks.keys.0', reason: expect.stringMatching(/private or symmetric members \(d, p, q, dp, dq, qi\)/) }]);
    expect(refusal({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })[0].reason).toMatch(/\(k\)/);
  });

  it('refuses a private key in PEM, which node:crypto would quietly turn into its public half', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const type of ['pkcs8', 'sec1'] as const) {
      expect(refusal({ publicKeyPem: privateKey.export({ format: 'pem', type }) as string })).toEqual([{ name: 'publicKeyPem', reason: expect.stringMatching(/public key/) }]);
    }
  });

  it('refuses keys that fit none of RS256, PS256, ES256, and an alg that does not fit the key', () => {
    expect(refusal({ jwks: { keys: [generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })] } })[0].reason).toMatch(/P-256/);
    expect(refusal({ jwks: { keys: [{ ...RFC_KEY, alg: 'ES256' }] } })[0].reason).toMatch(/EC P-256/);
    expect(refusal({ jwks: { keys: [{ ...RFC_KEY, alg: 'HS256' }] } })[0].reason).toMatch(/alg must be one of RS256, PS256, ES256/);
    expect(refusal({ jwks: { keys: [{ ...RFC_KEY, kid: 'a' }, { ...RFC_KEY, kid: 'a' }] } })[0].reason).toMatch(/own kid/);
  });

  it('offers as candidates only the keys of the assertion kid and of the algorithm key type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const jwks = registeredKeys({ jwks: { keys: [{ ...RFC_KEY, kid: 'rsa' }, { ...ec, kid: 'ec' }] } });
    expect(candidateKeys(jwks, 'RS256')).toHaveLength(1);
    expect(candidateKeys(jwks, 'PS256', 'rsa')).toHaveLength(1);
    expect(candidateKeys(jwks, 'ES256', 'rsa')).toHaveLength(0);
    expect(candidateKeys(jwks, 'ES256', 'ec')[0].asymmetricKeyType).toBe('ec');
  });
});
