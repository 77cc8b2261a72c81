/** The streams most resilience tests sync, and every table they fill (for row-by-row comparisons). */
export const SYNCED_STREAMS =
  'users,calls_extensive,call_transcripts,stats_activity_scorecards,settings_scorecards,library_folders,library_folder_content';
export const SYNCED_TABLES = [
  'users',
  'calls',
  'calls_extensive',
  'call_parties',
  'call_tracker_hits',
  'call_transcripts',
  'transcript_sentences',
  'stats_activity_scorecards',
  'scorecard_answers',
  'settings_scorecards',
  'scorecard_questions',
  'library_folders',
  'library_folder_content',
];
