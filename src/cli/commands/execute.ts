import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ConfigError } from '../../errors.js';
import { execute } from '../../api/gong.js';
import { mediaPath } from '../../media/media-downloader.js';
import { defineCommand } from '../command.js';

interface ExecuteFlags {
  params: string;
  out?: string;
}

const HELP = [
  '',
  "Parameters take the names Gong's own API (its OpenAPI spec V2) accepts; a name Gong does not know is",
  'refused with exit 2 and the list of accepted ones, since Gong would ignore it silently. One exception:',
  "stats_activity_scorecards list translates the reference's filter.fromDateTime / filter.toDateTime to",
  "Gong's filter.reviewFromDate / filter.reviewToDate (their date part; an end later than midnight becomes",
  'the next day). Its filter.callIds and filter.reviewerUserIds are not Gong filters and are refused.',
  '',
  'Examples:',
  '  gong-sync execute calls list --params \'{"fromDateTime":"2026-01-01T00:00:00Z","toDateTime":"2026-02-01T00:00:00Z"}\'',
  '  gong-sync execute stats_activity_scorecards list --params \'{"filter":{"reviewFromDate":"2026-01-01"}}\'',
].join('\n');

export default defineCommand<ExecuteFlags>({
  description: 'run one action of the reference (list, get, download) by its own entity, action and parameter names; prints JSON',
  stop: 'graceful',
  db: { purpose: 'where requests are counted against the daily budget' },
  declare: (command) =>
    command
      .argument('<entity>', 'e.g. users, calls, calls_extensive, call_transcripts, coaching, call_audio')
      .argument('<action>', 'list, get or download')
      .option('--params <json>', 'parameters as a JSON object, e.g. \'{"id":"123"}\'', '{}')
      .option('--out <file>', 'download: the file to write (default: GONG_MEDIA_DIR/CALL_ID.mp3|mp4)')
      .addHelpText('after', HELP),
  async run(app, [entity, action], flags) {
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(flags.params);
    } catch {
      throw new ConfigError(`--params is not valid JSON: expected an object such as '{"id":"123"}'`);
    }
    if (!params || typeof params !== 'object' || Array.isArray(params)) throw new ConfigError('--params must be a JSON object');
    const gong = await app.connect();
    const result = await execute(gong.client, { entity: entity!, action: action!, params });
    if (action !== 'download') return { exitCode: 0, stdout: JSON.stringify(result, null, 2) };
    const callId = String((params.filter as { callIds: string[] }).callIds[0]);
    const file = flags.out ? path.resolve(flags.out) : mediaPath(app.config.mediaDir, callId, entity === 'call_video' ? 'video' : 'audio');
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    await pipeline(Readable.from(result as AsyncIterable<Uint8Array>), fs.createWriteStream(file, { mode: 0o600 }));
    return { exitCode: 0, stdout: JSON.stringify({ file, bytes: fs.statSync(file).size }) };
  },
});
