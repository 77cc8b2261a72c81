import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';

/**
 * Gong's "Signed JWT header" option: the post carries an RS256 JWT (in `Authorization`, with or
 * without "Bearer ") whose claims include `body_sha256`, the hex SHA-256 of the exact body. Checked
 * with node:crypto only: the signature against Gong's public key, the body hash, and `exp`.
 */
export function parsePublicKey(pem: string): KeyObject {
  // An environment variable often carries the PEM with literal "\n".
  return createPublicKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);
}

/** Why a signed post is refused, or undefined when its JWT is valid for this body. */
export function signatureProblem(key: KeyObject, header: string | undefined, body: Buffer, nowMs = Date.now()): string | undefined {
  if (!header) return 'the post carries no signed JWT (Authorization header)';
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3) return 'the Authorization header is not a JWT';
  const [head, claims, signature] = parts as [string, string, string];
  let header64: { alg?: string };
  let payload: { body_sha256?: string; exp?: number };
  try {
    header64 = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'));
  } catch {
    return 'the JWT is not readable';
  }
  if (header64.alg !== 'RS256') return `the JWT is signed with ${String(header64.alg)}, not RS256`;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${head}.${claims}`);
  if (!verifier.verify(key, Buffer.from(signature, 'base64url'))) return "the JWT's signature does not match GONG_WEBHOOK_PUBLIC_KEY";
  if (typeof payload.exp === 'number' && payload.exp * 1000 < nowMs) return 'the JWT has expired';
  const digest = createHash('sha256').update(body).digest('hex');
  if (typeof payload.body_sha256 !== 'string' || payload.body_sha256.toLowerCase() !== digest)
    return "the JWT's body_sha256 does not match the body";
  return undefined;
}
