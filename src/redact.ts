/**
 * The one redaction applied to everything that leaves the process or lands in the database:
 * stdout, stderr, `_runs`, `_rejected_records`, status and every GongSyncError message.
 *
 * It hides the configured secrets (the access key secret, the token), the forms in which they
 * travel (the Base64 of "key:secret" in a Basic header, a Bearer token, their JSON- and
 * URL-escaped spellings), and credentials inside any URL (user:password@, and query values whose
 * name says they are a secret or a signature).
 */
const MASK = '***';
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();

/** Adds secrets to hide from now on (the configuration registers its credentials when it loads). */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    for (const form of spellingsOf(value)) secrets.add(form);
  }
}

/** The secrets of a Basic or Bearer credential, in every form they can be sent in. */
export function credentialSecrets(
  auth: { kind: 'basic'; accessKey: string; accessKeySecret: string } | { kind: 'bearer'; token: string },
): string[] {
  if (auth.kind === 'bearer') return [auth.token];
  const basic = Buffer.from(`${auth.accessKey}:${auth.accessKeySecret}`).toString('base64');
  // A Basic value inside base64url or with its padding dropped is still the credential.
  return [auth.accessKeySecret, basic, basic.replace(/=+$/, ''), basic.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')];
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]*@/gi;
const SECRET_QUERY_VALUE =
  /([?&;](?:[a-z0-9_.-]*(?:token|secret|password|passwd|signature|credential|api[-_]?key|access[-_]?key|authorization)[a-z0-9_.-]*|sig|pwd|key)=)[^&#\s"'<>]*/gi;
/** A credential after "Basic"/"Bearer": 16+ token characters with a digit or a Base64 sign (not a word such as "Basic settings"). */
const AUTH_HEADER_VALUE = /\b(Basic|Bearer)\s+(?=[A-Za-z0-9+/=._~-]*[0-9+/=])[A-Za-z0-9+/=._~-]{16,}/g;

/** Returns the text with every secret and URL credential replaced by "***". */
export function redact(text: string): string {
  if (!text) return text;
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  if (out.includes('@')) out = out.replace(URL_USERINFO, `$1${MASK}@`);
  if (out.includes('=')) out = out.replace(SECRET_QUERY_VALUE, `$1${MASK}`);
  if (out.includes('Basic') || out.includes('Bearer')) out = out.replace(AUTH_HEADER_VALUE, `$1 ${MASK}`);
  return out;
}

/** True when the text still contains a registered secret (for refusing, rather than hiding, one). */
export function containsSecret(text: string): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return false;
}

let outputRedacted = false;

/**
 * Routes every write to stdout and stderr through `redact`, whoever writes (our logger,
 * commander's help and errors, a library's warning). Writes are whole lines or whole outputs,
 * so a secret is never split across two of them.
 */
export function redactProcessOutput(): void {
  if (outputRedacted) return;
  outputRedacted = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') return write(redact(chunk), ...rest);
      if (chunk instanceof Uint8Array && secrets.size > 0) {
        // Bytes may be binary (a download to stdout): rewritten only when a secret is really in them.
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (const secret of secrets) if (bytes.includes(secret)) return write(redact(bytes.toString('utf8')), ...rest);
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

function spellingsOf(value: string): string[] {
  const forms = new Set([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(encodeURIComponent(value));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}
