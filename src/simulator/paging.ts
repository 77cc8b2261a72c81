import { createHash } from 'node:crypto';

export const PAGE_SIZE = 100;

interface CursorPayload {
  /** Hash of the request the cursor belongs to: Gong wants the identical request back. */
  k: string;
  o: number;
  t: number;
  s: string;
}

/** Opaque, signed cursors that remember their request and when they were issued. */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(requestKey: string, offset: number, issuedAt: number): string {
    const s = this.sign(requestKey, offset, issuedAt);
    return Buffer.from(JSON.stringify({ k: requestKey, o: offset, t: issuedAt, s } satisfies CursorPayload)).toString('base64url');
  }

  decode(cursor: string): CursorPayload | undefined {
    try {
      const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
      if (typeof payload.o !== 'number' || payload.s !== this.sign(payload.k, payload.o, payload.t)) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  private sign(k: string, o: number, t: number) {
    return createHash('sha256').update(`${this.secret}|${k}|${o}|${t}`).digest('base64url').slice(0, 16);
  }
}

/** Canonical JSON (sorted keys) so "the identical body" can be compared. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestKeyOf(method: string, path: string, params: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path} ${canonicalJson(params)}`)
    .digest('base64url')
    .slice(0, 22);
}
