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
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const minimum = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const redact = secretRedactor(options.secrets ?? []);
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVELS[level] < minimum) return;
    if (options.format === 'json') {
      write(redact(JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields })));
    } else {
      // On a terminal the message says it all; fields add detail to warnings and errors only.
      const extra = fields && level !== 'info' && level !== 'debug' && Object.keys(fields).length > 0 ? ' ' + formatFields(fields) : '';
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

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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
