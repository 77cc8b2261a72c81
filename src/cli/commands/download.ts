import type { Command } from 'commander';
import { createApp } from '../../app.js';
import { ConfigError, GongSyncError } from '../../errors.js';
import { assertCallId, callMediaRow, type MediaKind } from '../../media/media-downloader.js';
import { SqlExecutor } from '../../db/sql-executor.js';
import { RowLoader } from '../../loader.js';
import { findStream } from '../../../streams/index.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

export function registerDownload(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('download')
    .description("stream a call's audio or video to disk, resuming a partial file with a Range request")
    .argument('<kind>', 'audio or video')
    .argument('<callId>', 'the Gong call id (digits)')
    .option('--out <dir>', 'folder for the file (env GONG_MEDIA_DIR, default ./media)')
    .option('--db <file>', 'SQLite file that records the download in call_media (env GONG_DB)')
    .action((kind: string, callId: string, options: { out?: string; db?: string }, command: Command) =>
      done(downloadCommand(kind, callId, options, command)),
    );
}

async function downloadCommand(kind: string, callId: string, options: { out?: string; db?: string }, command: Command): Promise<CommandResult> {
  if (kind !== 'audio' && kind !== 'video') throw new ConfigError(`Cannot download "${kind}": expected audio or video`);
  assertCallId(callId);
  if (options.out !== undefined && !options.out.trim()) throw new ConfigError('--out is empty: expected a folder');
  const config = commandConfig(command, options);
  const app = await createApp(config);
  try {
    const mediaKind = kind as MediaKind;
    const url = await app.media.mediaUrl(callId, mediaKind);
    if (!url) throw new GongSyncError(`Gong has no ${kind} for call ${callId} (no such call, or no ${kind} recorded).`);
    const file = await app.media.download({
      callId,
      kind: mediaKind,
      url,
      directory: options.out ?? config.mediaDir,
      refreshUrl: () => app.media.mediaUrl(callId, mediaKind),
    });
    const exec = new SqlExecutor(app.database);
    const stream = findStream(`call_${kind}`)!;
    const row = callMediaRow(callId, mediaKind, file, new Date().toISOString());
    await exec.transaction(() => new RowLoader(exec).write(stream.tables, { call_media: [row] }, row.downloaded_at));
    const resumed = file.resumedFromBytes > 0 ? ` (resumed from byte ${file.resumedFromBytes})` : '';
    return { exitCode: 0, stdout: `${file.path}: ${file.bytes} bytes, sha256 ${file.sha256}${resumed}` };
  } finally {
    await app.close();
  }
}
