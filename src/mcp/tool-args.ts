import { ToolError } from './tool.js';
import { formatProblem } from './param-docs.js';

/** Reading the server's own tools' arguments: each check is a tool error naming the tool and the fix. */

export function text(tool: string, args: Record<string, unknown>, name: string, options: { required?: boolean } = {}): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) {
    if (options.required) throw new ToolError(`${tool}: "${name}" is required`);
    return undefined;
  }
  if (typeof value !== 'string' || !value.trim()) throw new ToolError(`${tool}: "${name}" must be a non-empty string`);
  return value.trim();
}

export function wholeNumber(tool: string, args: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ToolError(`${tool}: ${name} must be a whole number from ${min} to ${max}`);
  return value;
}

export function gongId(
  tool: string,
  args: Record<string, unknown>,
  name: string,
  options: { required?: boolean } = {},
): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) {
    if (options.required) throw new ToolError(`${tool}: "${name}" is required: a Gong id (digits), e.g. from find_calls`);
    return undefined;
  }
  const problem = formatProblem(name, 'id', value);
  if (problem) throw new ToolError(`${tool}: ${problem}`);
  return String(value);
}

/**
 * An instant given as an ISO-8601 date-time ("2026-11-01T00:00:00Z") or a day ("2026-11-01",
 * midnight UTC), in milliseconds. Anything else ("yesterday", "last week") is refused.
 */
export function instant(tool: string, args: Record<string, unknown>, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !formatProblem(name, 'date', value))
    return Date.parse(`${value}T00:00:00Z`);
  const problem = formatProblem(name, 'date-time', value);
  if (problem) throw new ToolError(`${tool}: ${problem.replace('date-time such as', 'date-time or a day (YYYY-MM-DD) such as')}`);
  return Date.parse(value as string);
}

export function range(tool: string, args: Record<string, unknown>): { from?: number; to?: number } {
  const from = instant(tool, args, 'fromDateTime');
  const to = instant(tool, args, 'toDateTime');
  if (from !== undefined && to !== undefined && !(from < to)) throw new ToolError(`${tool}: fromDateTime must be before toDateTime`);
  return { from, to };
}

/** Shared descriptions of the server's own parameters (formats and examples). */
export const RANGE_PARAMS = {
  fromDateTime: {
    type: 'string' as const,
    description: 'Started at or after: ISO-8601, e.g. "2026-11-01T00:00:00Z" or "2026-11-01".',
  },
  toDateTime: { type: 'string' as const, description: 'Started before, e.g. "2026-12-01".' },
};
