import { GongSimulator, DEMO_CREDENTIALS } from '../../simulator/server.js';
import { ConfigError } from '../../errors.js';
import { withStopSignals } from '../signals.js';
import { defineCommand, type CommandResult } from '../command.js';
import { commandName } from '../../command-name.js';

interface SimulatorFlags {
  port: string;
  calls: string;
  days: string;
  rateLimit?: string;
}

export default defineCommand<SimulatorFlags>({
  description: 'run the built-in simulated Gong API on 127.0.0.1 until stopped, and print the environment that points every command at it',
  stop: 'immediate',
  declare: (command) =>
    command
      .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '0')
      .option('--calls <n>', 'calls in the simulated account', '300')
      .option('--days <n>', 'days of history in the simulated account', '90')
      .option('--rate-limit <n>', "answer 429 beyond this many requests in any second, as Gong does (default: Gong's 3)", '3'),
  run: (_app, _args, flags) => simulatorCommand(flags),
});

async function simulatorCommand(options: SimulatorFlags): Promise<CommandResult> {
  const port = wholeNumber(options.port, '--port', 0, 65_535);
  const calls = wholeNumber(options.calls, '--calls', 1, 100_000);
  const days = wholeNumber(options.days, '--days', 1, 730);
  const rateLimit = wholeNumber(options.rateLimit ?? '3', '--rate-limit', 1, 1_000_000);
  const sim = await GongSimulator.start({ calls, days, port, rateLimitPerSecond: rateLimit });
  const startDate = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const someCall = sim.account.visibleCalls()[0]?.record.id;
  const someUser = sim.account.users[0]?.id;
  const cli = commandName();
  const lines = [
    `simulated Gong API on ${sim.url}: ${calls} calls over ${days} days, ${rateLimit} requests/s like Gong; Ctrl-C stops it.`,
    'In another terminal, point gong-sync at it:',
    '',
    `  export GONG_BASE_URL=${sim.url}`,
    `  export GONG_ACCESS_KEY=${DEMO_CREDENTIALS.accessKey}`,
    `  export GONG_ACCESS_KEY_SECRET=${DEMO_CREDENTIALS.accessKeySecret}`,
    `  export GONG_START_DATE=${startDate}`,
    '  export GONG_DB=sim.db',
    '',
    'then try:',
    `  ${cli} check`,
    `  ${cli} sync`,
    ...(someUser ? [`  ${cli} get users ${someUser}`] : []),
    ...(someCall ? [`  ${cli} get calls ${someCall}`, `  ${cli} download audio ${someCall} --out media`] : []),
    `  ${cli} execute users list`,
    `  ${cli} status`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  try {
    await withStopSignals((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    await sim.stop();
  }
  return { exitCode: 0, stdout: `simulator stopped after ${sim.apiRequests().length} API requests` };
}

function wholeNumber(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} "${value}" is not valid: expected a whole number from ${min} to ${max}`);
  return n;
}
