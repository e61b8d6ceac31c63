import { createHash, createPrivateKey, createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import type { InvalidParam } from '../common/problem';

/**
 * The public keys a partner system signs its client assertions with (private_key_jwt, RFC 7523 section 2.2).
 * Registered as a JWKS (RFC 7517) or a PEM public key; stored as a JWKS of public members only. node:crypto
 * reads and checks the keys (`createPublicKey({ format: 'jwk' })`): no JOSE library is needed for three
 * algorithms and no key fetching.
 */

/** The signature algorithms accepted on client assertions: never `none`, never HMAC (a public key is no secret). */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

export interface PublicJwk {
  kty: 'RSA' | 'EC';
  kid?: string;
  alg?: AssertionAlgorithm;
  use?: 'sig';
  n?: string;
  e?: string;
  crv?: 'P-256';
  x?: string;
  y?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

export const MAX_KEYS = 10;
const MIN_RSA_BITS = 2048;
/** Members of a private or symmetric JWK: a registration carrying one of them leaked a secret and is refused. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export class KeyRegistrationError extends Error {
  constructor(readonly invalidParams: InvalidParam[]) {
    super('invalid key registration');
  }
}

/** RFC 7638 thumbprint: the kid given to a key registered as PEM (and to a JWK without one). */
export function jwkThumbprint(jwk: PublicJwk): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Checks one key and returns its public members; `field` names it in the 400. */
function publicJwk(given: Record<string, unknown>, field: string): PublicJwk {
  // A validated DTO instance declares every member, the absent ones as undefined: only the present ones count.
  const raw = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const fail = (reason: string): never => {
    throw new KeyRegistrationError([{ name: field, reason }]);
  };
  const leaked = PRIVATE_MEMBERS.filter((m) => m in raw);
  if (leaked.length) fail(`must be a public key: it holds private or symmetric members (${leaked.join(', ')}); register the public key only`);
  if (raw.kty !== 'RSA' && raw.kty !== 'EC') fail('kty must be RSA or EC (P-256)');
  if (raw.alg !== undefined && !ASSERTION_ALGORITHMS.includes(raw.alg as AssertionAlgorithm)) fail(`alg must be one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  if (raw.use !== undefined && raw.use !== 'sig') fail('use must be sig');
  if (raw.kid !== undefined && (typeof raw.kid !== 'string' || !raw.kid || raw.kid.length > 200)) fail('kid must be a string of 1 to 200 characters');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: raw as JsonWebKey, format: 'jwk' });
  } catch {
    return fail('is not a valid public JWK');
  }
  return checked(key, raw.kid as string | undefined, raw.alg as AssertionAlgorithm | undefined, field);
}

/** The key's type and size fit the algorithms we accept; its members as node:crypto exports them. */
function checked(key: KeyObject, kid: string | undefined, alg: AssertionAlgorithm | undefined, field: string): PublicJwk {
  const fail = (reason: string): never => {
    throw new KeyRegistrationError([{ name: field, reason }]);
  };
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) fail(`an RSA key must have at least ${MIN_RSA_BITS} bits`);
    if (alg === 'ES256') fail('alg ES256 needs an EC P-256 key');
  } else if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve !== 'prime256v1') fail('an EC key must be on curve P-256 (ES256)');
    if (alg && alg !== 'ES256') fail(`alg ${alg} needs an RSA key`);
  } else {
    fail('must be an RSA (RS256, PS256) or EC P-256 (ES256) key');
  }
  const exported = key.export({ format: 'jwk' }) as PublicJwk;
  const jwk: PublicJwk = { kty: exported.kty, ...(exported.kty === 'RSA' ? { n: exported.n, e: exported.e } : { crv: exported.crv, x: exported.x, y: exported.y }) };
  return { ...jwk, kid: kid ?? jwkThumbprint(jwk), ...(alg ? { alg } : {}), use: 'sig' };
}

/** A registration (`jwks` or `publicKeyPem`) as the JWKS to store; throws KeyRegistrationError naming the field. */
export function registeredKeys(input: { jwks?: { keys?: unknown }; publicKeyPem?: string }): Jwks {
  if (input.jwks && input.publicKeyPem) throw new KeyRegistrationError([{ name: 'publicKeyPem', reason: 'give jwks or publicKeyPem, not both' }]);
  if (input.publicKeyPem !== undefined) {
    const pem = input.publicKeyPem;
    // createPublicKey derives the public half from a private key without complaint: refuse a private key outright.
    let isPrivate = /PRIVATE KEY/.test(pem);
    try {
      createPrivateKey(pem);
      isPrivate = true;
    } catch {
      /* not a private key: as it should be */
    }
    if (isPrivate) throw new KeyRegistrationError([{ name: 'publicKeyPem', reason: 'must be a public key (BEGIN PUBLIC KEY); never send the private key' }]);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new KeyRegistrationError([{ name: 'publicKeyPem', reason: 'is not a PEM public key' }]);
    }
    return { keys: [checked(key, undefined, undefined, 'publicKeyPem')] };
  }
  const keys = input.jwks?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeyRegistrationError([{ name: 'jwks.keys', reason: 'must hold at least one key' }]);
  if (keys.length > MAX_KEYS) throw new KeyRegistrationError([{ name: 'jwks.keys', reason: `must hold at most ${MAX_KEYS} keys` }]);
  const out = keys.map((k, i) => {
    if (!k || typeof k !== 'object' || Array.isArray(k)) throw new KeyRegistrationError([{ name: `jwks.keys.${i}`, reason: 'must be a JWK object' }]);
    return publicJwk(k as Record<string, unknown>, `jwks.keys.${i}`);
  });
  const kids = out.map((k) => k.kid);
  const repeated = kids.find((kid, i) => kids.indexOf(kid) !== i);
  if (repeated) throw new KeyRegistrationError([{ name: 'jwks.keys', reason: 'every key needs its own kid' }]);
  return { keys: out };
}

/** The stored keys that may have signed an assertion with this header, as key objects. */
export function candidateKeys(jwks: Jwks, alg: AssertionAlgorithm, kid?: string): KeyObject[] {
  const kty = alg === 'ES256' ? 'EC' : 'RSA';
  return jwks.keys
    .filter((k) => k.kty === kty && (!k.alg || k.alg === alg) && (kid === undefined || k.kid === kid))
    .map((k) => createPublicKey({ key: k as JsonWebKey, format: 'jwk' }));
}
