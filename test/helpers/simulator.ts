import { afterEach } from 'vitest';
import { GongSimulator, DEMO_CREDENTIALS, type GongSimulatorOptions } from '../../src/simulator/server.js';

const running: GongSimulator[] = [];

afterEach(async () => {
  while (running.length > 0) await running.pop()!.stop();
});

/** A simulator on 127.0.0.1 that stops by itself after the test. */
export async function startSimulator(options: GongSimulatorOptions = {}): Promise<GongSimulator> {
  const sim = await GongSimulator.start({ calls: 250, ...options });
  running.push(sim);
  return sim;
}

export { DEMO_CREDENTIALS };
