/**
 * Signed media URLs may redirect (CDNs do): up to 5 redirects are followed, only to https hosts
 * (plain http only on 127.0.0.1), and no hop ever carries Gong's Authorization header.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { tempDir } from './helpers/cli.js';
import { appFor, executeInProcess } from './helpers/in-process.js';
import { GongSimulator, type GongSimulatorOptions } from '../src/simulator/server.js';

async function download(options: GongSimulatorOptions) {
  const sim = await startSimulator({ calls: 5, ...options });
  const dir = tempDir();
  const app = await appFor(sim, path.join(dir, 'gong.db'));
  const call = sim.account.calls[0]!;
  try {
    const url = (await app.media.mediaUrl(call.record.id, 'audio'))!;
    const file = await app.media
      .download({ callId: call.record.id, kind: 'audio', url, directory: path.join(dir, 'media') })
      .catch((error: Error) => error);
    return { sim, call, file, media: sim.requests.filter((r) => r.path.startsWith('/media')) };
  } finally {
    await app.close();
  }
}

describe('media downloads that redirect', () => {
  it('follow up to 5 redirects to the file, without Gong credentials on any hop', async () => {
    const { call, file, media } = await download({ mediaRedirects: 5 });
    if (file instanceof Error) throw file;
    expect(file.bytes).toBe(GongSimulator.mediaSize(call.record.id, 'audio'));
    expect(fs.statSync(file.path).size).toBe(file.bytes);
    expect(media.map((r) => r.status)).toEqual([302, 302, 302, 302, 302, 200]);
    expect(media.every((r) => r.authorization === false)).toBe(true);
  });

  it('stop after 5, naming the loop', async () => {
    const { file, media } = await download({ mediaRedirects: 6 });
    expect(file).toBeInstanceOf(Error);
    expect((file as Error).message).toMatch(/redirected more than 5 times/);
    expect(media).toHaveLength(6);
  });

  it('refuse a redirect to a plain-http host other than 127.0.0.1, before connecting to it', async () => {
    const { file, media } = await download({ mediaRedirects: 1, mediaRedirectLocation: 'http://gong-media.example.com/file.mp3' });
    expect(file).toBeInstanceOf(Error);
    expect((file as Error).message).toMatch(
      /redirected to http:\/\/gong-media\.example\.com: only https hosts \(or http on 127\.0\.0\.1\) are followed/,
    );
    expect(media).toHaveLength(1);
  });

  it('execute call_audio download follows them too', async () => {
    const sim = await startSimulator({ calls: 5, mediaRedirects: 2 });
    const call = sim.account.calls[0]!;
    const chunks: Uint8Array[] = [];
    const body = (await executeInProcess(sim, path.join(tempDir(), 'gong.db'), 'call_audio', 'download', {
      filter: { callIds: [call.record.id] },
      range_header: 'bytes=0-99',
    })) as AsyncIterable<Uint8Array>;
    for await (const chunk of body) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toHaveLength(100);
    expect(sim.requests.filter((r) => r.path.startsWith('/media')).map((r) => [r.status, r.authorization])).toEqual([
      [302, false],
      [302, false],
      [206, false],
    ]);
  });
});
