/**
 * Lists inside users, trackers, scorecards and daily activity as typed child tables, so they are
 * joined and counted without JSON functions. Each set is replaced when its parent is re-read.
 */
import type { Row, TableSpec } from './types.js';
import { asArray, asObject, bool, idText, real, text } from './mapping.js';

const childOf = (name: string, primaryKey: string[], parent: string, parentColumn: string, column = parentColumn): TableSpec => ({
  name,
  primaryKey,
  replaceChildrenOf: { table: parent, parentColumn, column },
});

export const USER_CHILD_TABLES: TableSpec[] = [
  childOf('user_email_aliases', ['user_id', 'email'], 'users', 'id', 'user_id'),
  childOf('user_spoken_languages', ['user_id', 'language'], 'users', 'id', 'user_id'),
  childOf('user_personal_meeting_urls', ['user_id', 'url'], 'users', 'id', 'user_id'),
];

/** Gong's per-user recording and import settings, one column each. */
const USER_SETTINGS: Array<[field: string, column: string]> = [
  ['webConferencesRecorded', 'web_conferences_recorded'],
  ['preventWebConferenceRecording', 'prevent_web_conference_recording'],
  ['telephonyCallsImported', 'telephony_calls_imported'],
  ['emailsImported', 'emails_imported'],
  ['preventEmailImport', 'prevent_email_import'],
  ['nonRecordedMeetingsImported', 'non_recorded_meetings_imported'],
  ['gongConnectEnabled', 'gong_connect_enabled'],
];

export function userSettingColumns(settings: unknown): Row {
  const values = asObject(settings);
  return Object.fromEntries(USER_SETTINGS.map(([field, column]) => [column, bool(values[field])]));
}

export function userChildRows(userId: string, user: Record<string, any>): Record<string, Row[]> {
  const strings = (list: unknown) => [
    ...new Set(
      asArray(list)
        .map(text)
        .filter((v): v is string => !!v),
    ),
  ];
  const languages = new Map<string, Row>();
  for (const entry of asArray(user.spokenLanguages)) {
    const language = text(entry?.language);
    if (language && !languages.has(language)) languages.set(language, { user_id: userId, language, is_primary: bool(entry?.primary) });
  }
  return {
    user_email_aliases: strings(user.emailAliases).map((email) => ({ user_id: userId, email })),
    user_spoken_languages: [...languages.values()],
    user_personal_meeting_urls: strings(user.personalMeetingUrls).map((url) => ({ user_id: userId, url })),
  };
}

export const TRACKER_CHILD_TABLES: TableSpec[] = [
  childOf('tracker_keywords', ['tracker_id', 'language', 'keyword'], 'settings_trackers', 'tracker_id'),
];

export function trackerKeywordRows(trackerId: string, tracker: Record<string, any>): Row[] {
  const rows = new Map<string, Row>();
  for (const entry of asArray(tracker.languageKeywords)) {
    const language = text(entry?.language) ?? '';
    for (const keyword of asArray(entry?.keywords).map(text)) {
      if (!keyword || rows.has(`${language}|${keyword}`)) continue;
      rows.set(`${language}|${keyword}`, {
        tracker_id: trackerId,
        language,
        keyword,
        include_related_forms: bool(entry?.includeRelatedForms),
      });
    }
  }
  return [...rows.values()];
}

export const SCORECARD_CHILD_TABLES: TableSpec[] = [
  childOf('scorecard_answer_options', ['scorecard_id', 'question_id', 'option_id'], 'settings_scorecards', 'scorecard_id'),
];

/** Answer options: `{id, text}` in Gong's spec, `{optionId, optionText, score}` in the reference's shape. */
export function scorecardAnswerOptionRows(scorecardId: string, questions: unknown): Row[] {
  const rows = new Map<string, Row>();
  for (const question of asArray(questions)) {
    const questionId = idText(question?.questionId);
    if (!questionId) continue;
    for (const option of asArray(question?.answerOptions)) {
      const optionId = idText(option?.id ?? option?.optionId);
      if (!optionId || rows.has(`${questionId}|${optionId}`)) continue;
      rows.set(`${questionId}|${optionId}`, {
        scorecard_id: scorecardId,
        question_id: questionId,
        option_id: optionId,
        text: text(option?.text ?? option?.optionText),
        score: real(option?.score),
      });
    }
  }
  return [...rows.values()];
}

/** Each call id of each activity of a user's day: "which calls did a rep attend on Monday" is a join. */
export const ACTIVITY_DAY_CHILD_TABLES: TableSpec[] = [
  {
    name: 'activity_day_calls',
    primaryKey: ['user_id', 'date', 'activity', 'call_id'],
    replaceChildrenOf: { table: 'stats_activity_day_by_day', parentColumn: ['user_id', 'date'], column: ['user_id', 'date'] },
  },
];

/** `activities`: Gong's field name and the activity name stored (the counter column's name). */
export function activityDayCallRows(
  userId: string,
  date: string,
  day: Record<string, any>,
  activities: Array<[field: string, activity: string]>,
): Row[] {
  const rows: Row[] = [];
  for (const [field, activity] of activities) {
    for (const callId of new Set(asArray(day[field]).map(idText))) {
      if (callId) rows.push({ user_id: userId, date, activity, call_id: callId });
    }
  }
  return rows;
}
