import { ConfigError, GongSyncError } from '../../errors.js';
import { assertCallId, callMediaRow, type MediaKind } from '../../media/media-downloader.js';
import { SqlExecutor } from '../../db/sql-executor.js';
import { RowLoader } from '../../loader.js';
import { findStream } from '../../../streams/index.js';
import { defineCommand } from '../command.js';

interface DownloadFlags {
  out?: string;
}

export default defineCommand<DownloadFlags>({
  description: "stream a call's audio or video to disk, resuming a partial file with a Range request",
  stop: 'graceful',
  db: { purpose: 'that records the download in call_media' },
  declare: (command) =>
    command
      .argument('<kind>', 'audio or video')
      .argument('<callId>', 'the Gong call id (digits)')
      .option('--out <dir>', 'folder for the file (env GONG_MEDIA_DIR, default ./media)'),
  async run(app, [kind, callId], flags) {
    if (kind !== 'audio' && kind !== 'video') throw new ConfigError(`Cannot download "${kind}": expected audio or video`);
    assertCallId(callId!);
    if (flags.out !== undefined && !flags.out.trim()) throw new ConfigError('--out is empty: expected a folder');
    const gong = await app.connect();
    const mediaKind = kind as MediaKind;
    const id = callId!;
    const url = await gong.media.mediaUrl(id, mediaKind);
    if (!url) throw new GongSyncError(`Gong has no ${kind} for call ${id} (no such call, or no ${kind} recorded).`);
    const file = await gong.media.download({
      callId: id,
      kind: mediaKind,
      url,
      directory: flags.out ?? app.config.mediaDir,
      refreshUrl: () => gong.media.mediaUrl(id, mediaKind),
    });
    const exec = new SqlExecutor(gong.database);
    const stream = findStream(`call_${kind}`)!;
    const row = callMediaRow(id, mediaKind, file, new Date().toISOString());
    await exec.transaction(() => new RowLoader(exec).write(stream.tables, { call_media: [row] }, row.downloaded_at));
    const resumed = file.resumedFromBytes > 0 ? ` (resumed from byte ${file.resumedFromBytes})` : '';
    return { exitCode: 0, stdout: `${file.path}: ${file.bytes} bytes, sha256 ${file.sha256}${resumed}` };
  },
});
