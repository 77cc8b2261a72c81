import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, containsSecret, credentialSecrets, redact, registerSecrets } from '../src/redact.js';
import { GongHttpError, describeError } from '../src/errors.js';
import { loadConfig } from '../src/config.js';

afterEach(() => clearSecrets());

describe('redact', () => {
  const secret = 'sEcReT/with+odd"chars';
  const basic = Buffer.from(`key-1:${secret}`).toString('base64');

  it('hides the secret in every spelling it travels in, and the Basic value with or without padding', () => {
    registerSecrets(credentialSecrets({ kind: 'basic', accessKey: 'key-1', accessKeySecret: secret }));
    const text = [secret, JSON.stringify({ s: secret }), encodeURIComponent(secret), `Basic ${basic}`, basic.replace(/=+$/, '')].join(
      ' | ',
    );
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(basic.replace(/=+$/, ''));
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(containsSecret(`https://x/${secret}`)).toBe(true);
  });

  it('hides credentials in URLs and Authorization values even when they are not configured', () => {
    expect(redact('GET https://bob:hunter2@api.example.com/v2/calls failed')).toBe('GET https://***@api.example.com/v2/calls failed');
    expect(redact('https://s3.example.com/a.mp4?X-Amz-Signature=abc123&X-Amz-Credential=AKIA/2026&x=1')).toBe(
      'https://s3.example.com/a.mp4?X-Amz-Signature=***&X-Amz-Credential=***&x=1',
    );
    expect(redact('url?access_token=tok123&page=2')).toBe('url?access_token=***&page=2');
    expect(redact('they sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30 and Basic a2V5OnNlY3JldA==')).toBe(
      'they sent Authorization: Bearer *** and Basic ***',
    );
    expect(redact('Basic qualification scorecard; Bearer instruments')).toBe('Basic qualification scorecard; Bearer instruments');
    expect(redact('an ordinary message about 3 calls')).toBe('an ordinary message about 3 calls');
  });

  it('every error message and describeError pass through it', () => {
    registerSecrets(['tOkEn-abcdef']);
    expect(new GongHttpError('Gong answered 400: bad token tOkEn-abcdef', 400, '/v2/users').message).toBe(
      'Gong answered 400: bad token ***',
    );
    expect(describeError(new Error('x tOkEn-abcdef y'))).toBe('x *** y');
  });

  it('loading the configuration registers its credentials', () => {
    loadConfig({ GONG_ACCESS_TOKEN: 'configured-token-9876' });
    expect(redact('echo configured-token-9876')).toBe('echo ***');
  });
});
