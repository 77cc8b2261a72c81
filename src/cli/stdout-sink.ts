import { once } from 'node:events';

/** Writes to stdout, waiting while its buffer is full (a slow pipe must not fill memory). */
export async function stdoutSink(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
