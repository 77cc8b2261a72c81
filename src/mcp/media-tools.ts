import fs from 'node:fs';
import type { SqlExecutor } from '../db/sql-executor.js';
import { RowLoader } from '../loader.js';
import { callMediaRow, mediaPath, type MediaDownloader, type MediaKind } from '../media/media-downloader.js';
import { findStream } from '../../streams/index.js';
import type { ReferenceAction } from './reference-actions.js';
import { ToolError } from './tool.js';
import { isoText } from './copy-reads.js';

export interface MediaTools {
  download(action: ReferenceAction, params: Record<string, unknown>): Promise<unknown>;
}

/**
 * call_audio_download / call_video_download: a file goes only under the media directory, named by
 * its call id (digits), and is recorded in call_media like the sync's downloads.
 */
export function mediaTools(options: { exec: SqlExecutor; directory: string; downloader: () => MediaDownloader }): MediaTools {
  return {
    async download(action, params) {
      const problems = action.validate(params);
      if (problems.length > 0) throw new ToolError(`${action.tool}: ${problems.join('; ')}`);
      if (params.range_header !== undefined)
        throw new ToolError(
          `${action.tool}: range_header is not offered here: the server downloads whole files (an interrupted download resumes by itself)`,
        );
      const callIds = (params.filter as { callIds: string[] }).callIds;
      if (callIds.length !== 1 || !/^\d{1,20}$/.test(callIds[0]!))
        throw new ToolError(`${action.tool}: filter.callIds must hold exactly one call id (digits)`);
      const callId = callIds[0]!;
      const kind: MediaKind = action.entity === 'call_video' ? 'video' : 'audio';
      const known = await options.exec.get<{ path: string | null; bytes: unknown; sha256: string; downloaded_at: unknown }>(
        options.exec.db
          .selectFrom('call_media')
          .select(['path', 'bytes', 'sha256', 'downloaded_at'])
          .where('call_id', '=', callId)
          .where('kind', '=', kind),
      );
      const expected = mediaPath(options.directory, callId, kind);
      if (known?.path && known.path === expected && fs.existsSync(known.path) && fs.statSync(known.path).size === Number(known.bytes)) {
        return {
          source: 'local',
          synced_at: isoText(known.downloaded_at),
          callId,
          kind,
          path: known.path,
          bytes: Number(known.bytes),
          sha256: known.sha256,
        };
      }
      const downloader = options.downloader();
      const url = await downloader.mediaUrl(callId, kind);
      if (!url) throw new ToolError(`Gong has no ${kind} for call ${callId}`);
      const file = await downloader.download({
        callId,
        kind,
        url,
        directory: options.directory,
        refreshUrl: () => downloader.mediaUrl(callId, kind),
      });
      const stream = findStream(`call_${kind}`);
      const row = callMediaRow(callId, kind, file, new Date().toISOString());
      await options.exec.transaction(() =>
        new RowLoader(options.exec).write(
          stream?.tables ?? [{ name: 'call_media', primaryKey: ['call_id', 'kind'] }],
          { call_media: [row] },
          row.downloaded_at,
        ),
      );
      return { source: 'live', callId, kind, path: file.path, bytes: file.bytes, sha256: file.sha256 };
    },
  };
}
