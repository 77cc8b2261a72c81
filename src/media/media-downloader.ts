import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ConfigError, GongHttpError, GongSyncError } from '../errors.js';
import type { GongClient } from '../gong/client.js';
import { isTransientNetworkError, isTransientStatus } from '../gong/retry-policy.js';
import { silentLogger, type Logger } from '../logger.js';

export type MediaKind = 'audio' | 'video';

export interface MediaFile {
  callId: string;
  kind: MediaKind;
  path: string;
  bytes: number;
  contentType: string | null;
  sha256: string;
  /** Bytes that were already on disk from an interrupted download. */
  resumedFromBytes: number;
}

/** The `call_media` row that records a downloaded file (or, with no file, that Gong has no such media). */
export function callMediaRow(callId: string, kind: MediaKind, file: MediaFile | null, downloadedAt: string) {
  return {
    call_id: callId,
    kind,
    path: file?.path ?? null,
    bytes: file?.bytes ?? null,
    content_type: file?.contentType ?? null,
    sha256: file?.sha256 ?? null,
    downloaded_at: downloadedAt,
  };
}

const EXTENSIONS: Record<MediaKind, string> = { audio: 'mp3', video: 'mp4' };
const CALL_ID = /^\d{1,20}$/;

/** A call id that is safe to use as a file name: digits only, so no path can escape the folder. */
export function assertCallId(callId: string): void {
  if (!CALL_ID.test(callId)) throw new ConfigError(`"${callId}" is not a Gong call id: expected up to 20 digits`);
}

export function mediaPath(directory: string, callId: string, kind: MediaKind): string {
  assertCallId(callId);
  const root = path.resolve(directory);
  const file = path.resolve(root, `${callId}.${EXTENSIONS[kind]}`);
  if (path.dirname(file) !== root) throw new ConfigError(`Refusing to write outside ${root}`);
  return file;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Signed media URLs may send the download on to a CDN: this many hops at most. */
export const MAX_MEDIA_REDIRECTS = 5;

/**
 * GETs a signed media URL, following up to 5 redirects (CDNs do redirect). Each hop is paced like
 * any request and carries no Gong credentials (media requests never do); a hop may only go to an
 * https host, or to plain http on 127.0.0.1 (a local server), so a signed URL cannot be sent on to
 * a plain-text host.
 */
export async function openMediaFollowingRedirects(client: GongClient, url: string, range?: string) {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await client.openMedia(current, range);
    if (!REDIRECTS.has(response.statusCode)) return response;
    await response.body.dump();
    const location = headerText(response.headers.location);
    if (!location)
      throw new GongHttpError(
        `The media server answered ${response.statusCode} without a Location to follow`,
        response.statusCode,
        'media',
      );
    if (hop >= MAX_MEDIA_REDIRECTS) {
      throw new GongHttpError(
        `The media URL redirected more than ${MAX_MEDIA_REDIRECTS} times; giving up (a redirect loop?)`,
        response.statusCode,
        'media',
      );
    }
    const next = new URL(location, current);
    if (!(next.protocol === 'https:' || (next.protocol === 'http:' && next.hostname === '127.0.0.1'))) {
      throw new GongHttpError(
        `The media URL redirected to ${next.protocol}//${next.host}: only https hosts (or http on 127.0.0.1) are followed`,
        response.statusCode,
        'media',
      );
    }
    current = next.toString();
  }
}

/**
 * Streams a call's media to disk without holding it in memory. Bytes go to FILE.part first; an
 * interrupted download (in this process or a killed earlier one) continues with a Range request
 * from the part's size, and the file is renamed into place only once its size matches.
 */
export class MediaDownloader {
  constructor(
    private readonly client: GongClient,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Asks Gong for a fresh signed URL (they expire after hours and change on every request). */
  async mediaUrl(callId: string, kind: MediaKind): Promise<string | null> {
    assertCallId(callId);
    const answer = (await this.client.request({
      method: 'POST',
      path: '/v2/calls/extensive',
      body: { filter: { callIds: [callId] }, contentSelector: { exposedFields: { media: true } } },
    })) as { calls?: Array<{ metaData?: { id?: unknown }; media?: { audioUrl?: string; videoUrl?: string } }> } | null;
    const call = answer?.calls?.find((c) => String(c.metaData?.id) === callId);
    if (!call) return null;
    return (kind === 'audio' ? call.media?.audioUrl : call.media?.videoUrl) ?? null;
  }

  async download(options: {
    callId: string;
    kind: MediaKind;
    url: string;
    directory: string;
    refreshUrl?: () => Promise<string | null>;
  }): Promise<MediaFile> {
    const file = mediaPath(options.directory, options.callId, options.kind);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const part = `${file}.part`;
    const resumedFromBytes = sizeOf(part);
    let url = options.url;
    let refreshed = false;
    let contentType: string | null = null;
    for (let attempt = 0; ; attempt++) {
      const offset = sizeOf(part);
      let failure: string;
      try {
        const response = await openMediaFollowingRedirects(this.client, url, offset > 0 ? `bytes=${offset}-` : undefined);
        const status = response.statusCode;
        if (status === 200 || status === 206) {
          const start = status === 206 ? contentRangeStart(response.headers['content-range']) : 0;
          if (status === 206 && start !== offset) {
            response.body.destroy();
            throw new GongHttpError(`The media server resumed at byte ${start}, not ${offset}`, status, 'media');
          }
          const total = totalSize(status, response.headers, offset);
          contentType = headerText(response.headers['content-type']);
          await pipeline(response.body, fs.createWriteStream(part, { flags: status === 206 ? 'a' : 'w', mode: 0o600 }));
          const size = sizeOf(part);
          if (total !== null && size !== total) {
            failure = `size ${size} does not match the expected ${total}`;
          } else {
            fs.renameSync(part, file);
            return {
              callId: options.callId,
              kind: options.kind,
              path: file,
              bytes: size,
              contentType,
              sha256: await sha256Of(file),
              resumedFromBytes,
            };
          }
        } else {
          await response.body.dump();
          if (status === 416) {
            fs.rmSync(part, { force: true });
            failure = 'range not satisfiable; starting over';
          } else if ((status === 403 || status === 410) && options.refreshUrl && !refreshed) {
            refreshed = true;
            const fresh = await options.refreshUrl();
            if (!fresh) throw new GongSyncError(`Gong no longer offers ${options.kind} for call ${options.callId}`);
            url = fresh;
            this.logger.info(`media URL for call ${options.callId} expired; fetched a fresh one`);
            continue;
          } else if (isTransientStatus(status)) {
            failure = `HTTP ${status}`;
          } else {
            throw new GongHttpError(`Downloading ${options.kind} of call ${options.callId} failed: HTTP ${status}`, status, 'media');
          }
        }
      } catch (error) {
        if (!isTransientNetworkError(error) && !(error as { code?: string }).code?.startsWith('ERR_STREAM')) throw error;
        failure = `network error ${(error as { code?: string }).code ?? ''}`.trim();
      }
      if (attempt >= this.client.maxRetries) {
        throw new GongHttpError(
          `Downloading ${options.kind} of call ${options.callId} kept failing (${failure}); ${sizeOf(part)} bytes are kept and the next run resumes them.`,
          undefined,
          'media',
        );
      }
      this.logger.debug(`media download of call ${options.callId}: ${failure}; resuming from byte ${sizeOf(part)}`);
      await this.client.backoff(attempt);
    }
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function headerText(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function contentRangeStart(value: string | string[] | undefined): number {
  const match = /bytes (\d+)-/.exec(headerText(value) ?? '');
  return match ? Number(match[1]) : -1;
}

function totalSize(status: number, headers: Record<string, string | string[] | undefined>, offset: number): number | null {
  if (status === 206) {
    const match = /\/(\d+)$/.exec(headerText(headers['content-range']) ?? '');
    if (match) return Number(match[1]);
  }
  const length = Number(headerText(headers['content-length']));
  return Number.isFinite(length) && length >= 0 ? length + (status === 206 ? offset : 0) : null;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
