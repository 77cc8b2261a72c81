import { maskContactDetails } from '../text-masking.js';
import type { ExportOptions } from './export-tables.js';

/** The columns that hold words said in calls, verbatim: what GONG_REDACT_TEXT masks in exports. */
export const SPOKEN_TEXT_COLUMNS: Record<string, string[]> = {
  transcript_sentences: ['text'],
  call_tracker_occurrences: ['phrase'],
};

/** The export's masking for GONG_REDACT_TEXT: e-mail addresses and phone numbers said in calls; none when off. */
export function spokenTextMask(enabled: boolean): ExportOptions['mask'] {
  return enabled ? { columns: SPOKEN_TEXT_COLUMNS, text: maskContactDetails } : undefined;
}
