import type { Plan } from './estimate.js';

/** The plan as a person reads it: one line per stream, the total, the days and an ETA. */
export function formatPlan(plan: Plan, budget: { daily: number; rate: number }): string {
  const lines = [`plan: ${plan.from} .. ${plan.to} (found out with ${plan.probes} request${plan.probes === 1 ? '' : 's'})`];
  lines.push(`  ${'stream'.padEnd(28)} ${'requests'.padStart(9)} ${'records'.padStart(9)}`);
  for (const [name, s] of Object.entries(plan.streams)) {
    lines.push(`  ${name.padEnd(28)} ${String(s.requests).padStart(9)} ${(s.records === undefined ? '' : String(s.records)).padStart(9)}`);
  }
  lines.push(`  ${'total'.padEnd(28)} ${String(plan.requests).padStart(9)}`);
  lines.push(
    `${plan.days} day(s) of the daily budget (${budget.daily} requests); at ${budget.rate} requests/s it ends in about ${duration(plan.etaSeconds)} (${plan.eta}).`,
  );
  if (plan.days > 1)
    lines.push("The sync stops (exit 3) when a day's budget is spent; `gong-sync schedule` continues it each day, newest history first.");
  return lines.join('\n');
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} days`;
}
