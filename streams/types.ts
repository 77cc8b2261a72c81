/**
 * The vocabulary of a stream declaration. A stream says what to ask Gong, where the records are
 * in the answer, how a record becomes rows, and how it stays fresh; the runner does the rest.
 * No HTTP and no SQL here.
 */
export type Row = Record<string, unknown>;

export interface TableSpec {
  name: string;
  primaryKey: string[];
  /**
   * A child table whose rows are replaced as a set: before writing, rows whose `column` equals a
   * key of the parent rows in the same page are deleted (a shorter transcript leaves no stale rows).
   */
  replaceChildrenOf?: { table: string; parentColumn: string | string[]; column: string | string[] };
}

export interface DateWindow {
  /** Inclusive start: ISO timestamp, or YYYY-MM-DD for date-granular streams. */
  from: string;
  /** Exclusive end, frozen when the run starts. */
  to: string;
}

/** Settings from the configuration that change what streams ask for. */
export interface StreamSettings {
  /** Replaces the default `contentSelector.exposedFields` of calls_extensive (GONG_CONTENT_SELECTOR). */
  exposedFields?: Record<string, unknown>;
  includePrivateCalls: boolean;
}

/** What the runner hands a stream to build one request from. */
export interface RequestInput {
  window?: DateWindow;
  partition?: Record<string, string>;
  ids?: string[];
  settings: StreamSettings;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: Record<string, unknown>;
}

export type Replication =
  /** Read everything; with removeMissing, rows Gong no longer returns are deleted when the pass completes. */
  | { kind: 'full_refresh'; removeMissing?: boolean }
  /** Bounded windows [from, to) with a frozen upper bound and a look-back before the bookmark. */
  | {
      kind: 'date_windows';
      granularity: 'datetime' | 'date';
      lookbackDays: number;
      /** Longest window; a first sync of a year is one window when this is >= 366. */
      maxWindowDays: number;
      /** Latest allowed `to`: now (datetime), today or tomorrow (date, in the company time zone). */
      upperBound: 'now' | 'today' | 'tomorrow';
      /** Cut windows at calendar-month starts (stats per month: the same windows every run). */
      alignToMonths?: boolean;
      /**
       * Rows carry their window in this column: when a window is read from its first page, the rows
       * of the same window start are replaced (a month re-read today replaces yesterday's partial month).
       */
      windowColumn?: string;
    }
  /**
   * Fed by ids from a parent table: rows the parent (re)wrote since this stream's last pass, plus
   * parent rows still missing here that started within `retryMissingDays`, in batches.
   */
  | {
      kind: 'parent_ids';
      parent: { table: string; idColumn: string; startedColumn: string };
      /** A parent is done when this table has a row for it (matching `where`, if given). */
      missingIn: { table: string; column: string; where?: Record<string, string> };
      batchSize: number;
      retryMissingDays: number;
      /** Re-request parents rewritten since the last pass (transcripts can change); else only missing ones. */
      refetchChanged: boolean;
    };

/** A stream whose records point at files to download (call media); rows describe the files. */
export interface DownloadSpec {
  kind: 'audio' | 'video';
  /** The call id and signed URL a record carries, or null when it has no such media. */
  target(record: any): { callId: string; url: string | null };
}

/** A stream run once per partition; partitions are ids read from tables the database already has. */
export interface PartitionSpec {
  /** Each source adds one parameter; several sources combine as a cross product. */
  sources: Array<{
    param: string;
    table: string;
    column: string;
    /** The column of this stream's rows that holds the value (for removing rows Gong no longer has). */
    rowColumn: string;
    /** Only values that also appear in this column (e.g. users who are someone's manager). */
    whereIn?: { table: string; column: string };
  }>;
}

/** The endpoint a stream reads: the one registry `execute`, the runner and the contract test share. */
export interface Endpoint {
  method: 'GET' | 'POST';
  /** Gong's path, as its OpenAPI spec spells it. */
  path: string;
}

export interface StreamDefinition {
  name: string;
  description: string;
  endpoint: Endpoint;
  /** The request for one page (method and path are the endpoint's). */
  request(input: RequestInput): RequestSpec;
  /** Where the records are in Gong's answer. */
  recordsKey: string;
  /** Whether Gong pages this endpoint with a cursor. */
  paginated: boolean;
  replication: Replication;
  partitions?: PartitionSpec;
  tables: TableSpec[];
  /** The record's key, for reporting a record that cannot be stored. */
  recordId(record: any): string;
  toRows(record: any, input: RequestInput): Record<string, Row[]>;
  /** Another stream that writes this stream's tables too; when both run, this one is skipped. */
  coveredBy?: string;
  /** Slow-changing data: read at most this often (a run sooner skips the stream). */
  minIntervalHours?: number;
  /** Records Gong marks private, dropped when GONG_INCLUDE_PRIVATE_CALLS is false. */
  isPrivate?(record: any): boolean;
  /** Fetching one record live (`gong-sync get`): GET `template` with `{id}` replaced. */
  get?: { template: string; path(id: string): string; recordKey: string };
  download?: DownloadSpec;
}

/** What a stream file declares: the request's query and body; method and path come from `endpoint`. */
export type StreamDeclaration = Omit<StreamDefinition, 'request' | 'get'> & {
  request(input: RequestInput): Omit<RequestSpec, 'method' | 'path'> & Partial<Pick<RequestSpec, 'method' | 'path'>>;
  get?: { template: string; recordKey: string };
};

export function defineStream(declaration: StreamDeclaration): StreamDefinition {
  const { endpoint } = declaration;
  const definition: StreamDefinition = {
    ...declaration,
    request: (input) => {
      const spec = declaration.request(input);
      if ((spec.method && spec.method !== endpoint.method) || (spec.path && spec.path !== endpoint.path)) {
        throw new Error(
          `${declaration.name}: request ${spec.method} ${spec.path} differs from its endpoint ${endpoint.method} ${endpoint.path}`,
        );
      }
      return { ...spec, method: endpoint.method, path: endpoint.path };
    },
    get: declaration.get && { ...declaration.get, path: (id) => declaration.get!.template.replace('{id}', encodeURIComponent(id)) },
  };
  return definition;
}
