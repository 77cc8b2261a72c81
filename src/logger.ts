import { randomUUID } from 'node:crypto';

/**
 * Logs go to stderr: human lines on a terminal, one JSON object per line otherwise (cron,
 * containers). Every line passes through redaction of the configured secrets.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  format: LogFormat;
  level?: LogLevel;
  secrets?: string[];
  /** Fields every line carries (e.g. the run id). */
  fields?: LogFields;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const minimum = LEVELS[options.level ?? 'info'];
  const write = options.write ?? writeStderrLine;
  const redact = secretRedactor(options.secrets ?? []);
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level] < minimum) return;
    if (options.format === 'json') {
      write(redact(JSON.stringify({ time: now().toISOString(), level, msg: message, ...options.fields, ...fields })));
    } else {
      // On a terminal the message says it all; fields add detail to warnings and errors only.
      const shown = fields ? Object.fromEntries(Object.entries(fields).filter(([k]) => !HIDDEN_ON_TERMINAL.has(k))) : undefined;
      const extra = shown && level !== 'info' && level !== 'debug' && Object.keys(shown).length > 0 ? ' ' + formatFields(shown) : '';
      const prefix = level === 'info' ? '' : `${level}: `;
      write(redact(`${prefix}${message}${extra}`));
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * A live status line on the terminal (progress), redrawn in place. Log lines clear it first and
 * redraw it after, so a log line and the progress never share a line.
 */
export interface StatusLine {
  clear(): void;
  redraw(): void;
}

let statusLine: StatusLine | undefined;

export function setStatusLine(line: StatusLine | undefined): void {
  statusLine = line;
}

function writeStderrLine(line: string): void {
  statusLine?.clear();
  process.stderr.write(line + '\n');
  statusLine?.redraw();
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Bookkeeping fields a person at a terminal does not need to read. */
const HIDDEN_ON_TERMINAL = new Set(['run_id', 'event']);

/** A logger whose every line also carries `fields` (a line's own fields win). */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return {
    debug: (m, f) => logger.debug(m, { ...fields, ...f }),
    info: (m, f) => logger.info(m, { ...fields, ...f }),
    warn: (m, f) => logger.warn(m, { ...fields, ...f }),
    error: (m, f) => logger.error(m, { ...fields, ...f }),
  };
}

/** A unique id for one run, carried by its log lines and stored in `_runs.run_id`. */
export function newRunId(): string {
  return randomUUID();
}

/** The run id of this process's command (`schedule` gives each of its runs a new one). */
export const processRunId = newRunId();

/**
 * The format stderr lines take before any configuration is read (a configuration error, a
 * signal): --log-format, else GONG_LOG_FORMAT, else text on a terminal and JSON otherwise.
 */
export function defaultLogFormat(
  argv: string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  isTty = Boolean(process.stderr.isTTY),
): LogFormat {
  const flagAt = argv.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const flag = flagAt < 0 ? undefined : argv[flagAt]!.includes('=') ? argv[flagAt]!.split('=')[1] : argv[flagAt + 1];
  const chosen = flag ?? env.GONG_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'text') return chosen;
  return isTty ? 'text' : 'json';
}

/**
 * One line on stderr outside a run's logger (configuration errors, signals, unexpected failures):
 * `error: message` on a terminal, one JSON object otherwise.
 */
export function stderrLine(level: LogLevel, message: string, fields?: LogFields, format: LogFormat = defaultLogFormat()): void {
  if (format === 'json') {
    writeStderrLine(JSON.stringify({ time: new Date().toISOString(), level, msg: message, run_id: processRunId, ...fields }));
  } else {
    writeStderrLine(`${level === 'info' ? '' : `${level}: `}${message}`);
  }
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** Replaces every secret (and its Basic-auth encoding) with "***". */
export function secretRedactor(secrets: string[]): (text: string) => string {
  const needles = secrets.filter((s) => s && s.length >= 4);
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) out = out.split(needle).join('***');
    return out;
  };
}
