import { ConfigError } from '../errors.js';
import { closestMatch } from './did-you-mean.js';
import { OPT_IN_STREAMS, streams, streamNames, type StreamDefinition } from '../../streams/index.js';

/** `--streams a,b` to definitions, in registry order; all streams but opt-in ones when absent. */
export function selectStreams(option: string | undefined): StreamDefinition[] {
  if (option === undefined) return streams.filter((s) => !OPT_IN_STREAMS.includes(s.name));
  const names = option
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw new ConfigError(`--streams is empty: expected a comma-separated list of: ${streamNames.join(', ')}`);
  const unknown = names.filter((n) => !streamNames.includes(n));
  if (unknown.length > 0) {
    const guesses = unknown.map((n) => [n, closestMatch(n, streamNames)] as const).filter(([, guess]) => guess);
    const hint =
      guesses.length === 0
        ? ''
        : unknown.length === 1
          ? ` (did you mean ${guesses[0]![1]}?)`
          : ` (did you mean ${guesses.map(([n, guess]) => `${guess} for ${n}`).join(', ')}?)`;
    throw new ConfigError(
      `Unknown stream${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${hint}: expected some of ${streamNames.join(', ')}`,
    );
  }
  return streams.filter((s) => names.includes(s.name));
}
