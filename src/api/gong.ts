import { ConfigError, GongSyncError } from '../errors.js';
import { GongClient, type GongAuth } from '../gong/client.js';
import { RequestPacer } from '../gong/pacer.js';
import type { Logger } from '../logger.js';
import { ACTIONS, findAction, splitRange, translateParams, validateParams, withDefaults, type ActionSpec } from './actions.js';
import type * as T from './types.js';
import { openMediaFollowingRedirects } from '../media/media-downloader.js';

export interface Pagination {
  totalRecords?: number;
  currentPageSize?: number;
  currentPageNumber?: number;
  cursor?: string;
}

/** A list action's answer, as the reference documents it: the records and the pagination meta. */
export interface ListResult<R = Record<string, unknown>> {
  records: R[];
  pagination: Pagination;
}

export interface ExecuteRequest {
  entity: string;
  action: string;
  params?: Record<string, unknown>;
}

export interface GongOptions {
  /** Tenant host; default https://api.gong.io. */
  baseUrl?: string;
  accessKey?: string;
  accessKeySecret?: string;
  accessToken?: string;
  /** Requests per second (default 3), shared by every call on this client. */
  rateLimit?: number;
  logger?: Logger;
  /** Use an existing client (and its pacing, retries and budget) instead. */
  client?: GongClient;
}

/** Runs one action of the reference by its entity, action and parameter names. */
export async function execute(
  client: GongClient,
  request: ExecuteRequest,
): Promise<ListResult | Record<string, unknown> | AsyncIterable<Uint8Array>> {
  const spec = findAction(request.entity, request.action);
  if (!spec) {
    const entities = [...new Set(ACTIONS.map((a) => a.entity))];
    const actions = ACTIONS.filter((a) => a.entity === request.entity).map((a) => a.action);
    throw new ConfigError(
      actions.length > 0
        ? `"${request.entity}" has no action "${request.action}": expected ${actions.join(' or ')}`
        : `Unknown entity "${request.entity}": expected one of ${entities.join(', ')}`,
    );
  }
  const given = request.params ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new ConfigError(`params must be a JSON object`);
  const problems = validateParams(spec, given);
  if (problems.length > 0) throw new ConfigError(`${spec.entity} ${spec.action}: ${problems.join('; ')}`);
  const params = withDefaults(spec, translateParams(spec, given));
  if (spec.action === 'download') return download(client, spec, params);
  const windows = splitRange(spec, params);
  if (windows) return listOverWindows(client, spec, windows);
  return requestOnce(client, spec, params);
}

/**
 * A range longer than Gong takes in one request (90 days for call lists): every page of each
 * window, oldest window first, merged into one answer (no cursor: it is all there).
 */
async function listOverWindows(client: GongClient, spec: ActionSpec, windows: Array<Record<string, unknown>>): Promise<ListResult> {
  if (windows.some((w) => w.cursor !== undefined)) {
    throw new ConfigError(
      `${spec.entity} ${spec.action}: a range over ${spec.range!.maxDays} days is answered whole, without a cursor: leave cursor out`,
    );
  }
  const records: Record<string, unknown>[] = [];
  for (const window of windows) {
    let cursor: string | undefined;
    do {
      const page = (await requestOnce(client, spec, cursor ? { ...window, cursor } : window)) as ListResult;
      records.push(...page.records);
      cursor = page.pagination.cursor;
    } while (cursor);
  }
  return { records, pagination: { totalRecords: records.length, currentPageSize: records.length, currentPageNumber: 0 } };
}

async function requestOnce(
  client: GongClient,
  spec: ActionSpec,
  params: Record<string, unknown>,
): Promise<ListResult | Record<string, unknown>> {
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  let path = spec.path;
  for (const [name, value] of Object.entries(params)) {
    const where = spec.params[name]!.in;
    if (where === 'path') {
      if (!/^\d{1,20}$/.test(String(value))) throw new ConfigError(`${spec.entity} ${spec.action}: "${name}" must be a Gong id (digits)`);
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    } else if (where === 'query') query[name] = String(value);
    else if (where === 'body') body[name] = value;
  }
  const answer = (await client.request({ method: spec.method, path, query, body: spec.method === 'POST' ? body : undefined })) as Record<
    string,
    any
  > | null;
  if (spec.action === 'get') {
    const record = answer?.[spec.recordKey!];
    if (!record) throw new GongSyncError(`Gong has no ${spec.entity} record for ${JSON.stringify(params)}`);
    return record as Record<string, unknown>;
  }
  const records = (answer?.[spec.recordsKey!] as unknown[] | undefined) ?? [];
  const meta = (answer?.records ?? {}) as Pagination;
  return {
    records: records as Record<string, unknown>[],
    pagination: answer === null ? { totalRecords: 0, currentPageSize: 0, currentPageNumber: 0 } : { ...meta },
  };
}

async function download(client: GongClient, spec: ActionSpec, params: Record<string, unknown>): Promise<AsyncIterable<Uint8Array>> {
  const callIds = (params.filter as { callIds: string[] }).callIds;
  if (callIds.length !== 1 || !/^\d{1,20}$/.test(callIds[0]!)) {
    throw new ConfigError(`${spec.entity} download: filter.callIds must hold exactly one call id (digits)`);
  }
  const answer = (await client.request({
    method: 'POST',
    path: spec.path,
    body: { filter: { callIds }, contentSelector: { exposedFields: { media: true } } },
  })) as { calls?: Array<{ media?: { audioUrl?: string; videoUrl?: string } }> } | null;
  const media = answer?.calls?.[0]?.media;
  const url = spec.media === 'audio' ? media?.audioUrl : media?.videoUrl;
  if (!url) throw new GongSyncError(`Gong has no ${spec.media} for call ${callIds[0]}`);
  const range = params.range_header as string | undefined;
  const response = await openMediaFollowingRedirects(client, url, range);
  if (response.statusCode !== 200 && response.statusCode !== 206) {
    await response.body.dump();
    throw new GongSyncError(`Downloading ${spec.media} of call ${callIds[0]} failed: HTTP ${response.statusCode}`);
  }
  return response.body as AsyncIterable<Uint8Array>;
}

const camel = (entity: string) => entity.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Typed parameter names the reference spells with dashes (coaching). */
const ALIASES: Record<string, string> = { workspaceId: 'workspace-id', managerId: 'manager-id' };

/**
 * The reference's interface in TypeScript: `gong.users.list()`, `gong.calls.get({ id })`,
 * `gong.callAudio.download(...)`, ..., and `gong.execute({ entity, action, params })`. Every call
 * goes through one client: the same pacing, retries and error classes as `gong-sync sync`.
 */
export function createGong(options: GongOptions = {}): T.Gong {
  const client =
    options.client ??
    new GongClient({
      baseUrl: options.baseUrl ?? 'https://api.gong.io',
      auth: authOf(options),
      pacer: new RequestPacer({ requestsPerSecond: options.rateLimit ?? 3 }),
      logger: options.logger,
    });
  const gong: Record<string, any> = {
    client,
    execute: (request: ExecuteRequest) => execute(client, request),
    close: () => client.close(),
  };
  for (const spec of ACTIONS) {
    const group = (gong[camel(spec.entity)] ??= {});
    group[spec.action] = (params: Record<string, unknown> = {}) => {
      const named = Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k in spec.params ? k : ALIASES[k] && ALIASES[k]! in spec.params ? ALIASES[k]! : k, v]),
      );
      return execute(client, { entity: spec.entity, action: spec.action, params: named });
    };
  }
  return gong as T.Gong;
}

function authOf(options: GongOptions): GongAuth {
  if (options.accessKey && options.accessKeySecret)
    return { kind: 'basic', accessKey: options.accessKey, accessKeySecret: options.accessKeySecret };
  if (options.accessToken) return { kind: 'bearer', token: options.accessToken };
  throw new ConfigError('createGong needs accessKey + accessKeySecret, or accessToken');
}
