/**
 * SIGINT/SIGTERM ask a run to stop cleanly: the handlers are installed first thing in `main`,
 * before any database is opened, and abort one process-wide signal. Commands that honour it
 * (sync, migrate, get, ...) stop at the next safe point (between migrations, between pages, or by
 * aborting the request in flight) and exit 3 with state saved. A second signal exits at once
 * (SQLite's transactions still keep the file consistent). Commands that do not honour it (query,
 * status, servers) keep the default behaviour: the signal ends them.
 */
import { stderrLine } from '../logger.js';

const controller = new AbortController();

/** Aborted by the first SIGINT/SIGTERM; its reason is the signal's name. */
export const processStopSignal: AbortSignal = controller.signal;

type Mode = 'undecided' | 'graceful' | 'immediate';
let mode: Mode = 'undecided';
let installed = false;
let pendingSignal: NodeJS.Signals | undefined;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function onSignal(name: NodeJS.Signals): void {
  if (controller.signal.aborted) process.exit(exitCodeFor(name));
  if (mode === 'immediate') {
    endBySignal(name);
    return;
  }
  if (mode === 'graceful')
    stderrLine('warn', `${name} received: finishing the current step, then stopping (send again to quit at once)`, {
      event: 'signal',
      signal: name,
    });
  else pendingSignal = name;
  controller.abort(name);
}

/** Installs the handlers (idempotent). Until a command says how it stops, a signal is held. */
export function installStopSignals(): AbortSignal {
  if (!installed) {
    installed = true;
    for (const name of SIGNALS) process.on(name, onSignal);
  }
  return controller.signal;
}

/**
 * Declares how the command about to run reacts to a stop signal: `graceful` stops at the next safe
 * point with exit 3, `immediate` ends the process as the signal would by default. A signal that
 * arrived before the decision is applied now.
 */
export function setStopMode(next: 'graceful' | 'immediate'): void {
  mode = next;
  if (next === 'immediate' && pendingSignal) endBySignal(pendingSignal);
  if (next === 'graceful' && pendingSignal)
    stderrLine('warn', `${pendingSignal} received: stopping before any work`, { event: 'signal', signal: pendingSignal });
}

/** Runs work that stops cleanly on SIGINT/SIGTERM (the runner checks the signal between pages). */
export async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  installStopSignals();
  const previous = mode;
  mode = 'graceful';
  try {
    return await work(controller.signal);
  } finally {
    mode = previous === 'undecided' ? 'graceful' : previous;
  }
}

/**
 * Under npm (`npx gong-sync ...`, `npm run demo`) a shell stands between npm and node: a SIGTERM
 * sent to the pid npm reports ends npm and that shell, never reaching node, which would keep
 * running orphaned. So when started by npm, losing the parent process counts as a SIGTERM.
 * (Not otherwise: `nohup gong-sync schedule &` must outlive the shell that started it.)
 */
let watchingParent = false;

export function stopWhenParentEnds(env: NodeJS.ProcessEnv = process.env, everyMs = 250): void {
  if (!env.npm_lifecycle_event || watchingParent) return;
  watchingParent = true;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stderrLine('warn', `the process npm started gong-sync from (pid ${parent}) ended: stopping as on SIGTERM`, { event: 'parent_ended' });
    onSignal('SIGTERM');
  }, everyMs);
  timer.unref();
}

function endBySignal(name: NodeJS.Signals): void {
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.kill(process.pid, name);
}

function exitCodeFor(name: NodeJS.Signals): number {
  return name === 'SIGINT' ? 130 : 143;
}
