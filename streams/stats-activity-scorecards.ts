import { defineStream } from './types.js';
import { asArray, bool, idText, jsonText, raw, real, requireId, storedOnce, text, utcIso } from './mapping.js';

/** What every answered-scorecards request asks for unless its caller chose otherwise (execute, MCP). */
export const DEFAULT_REVIEW_METHOD = 'BOTH';
export const REVIEW_METHODS = ['AUTOMATIC', 'MANUAL', 'BOTH'] as const;

export const statsActivityScorecards = defineStream({
  name: 'stats_activity_scorecards',
  description:
    'Answered scorecards (POST /v2/stats/activity/scorecards), manual and automatic, over date windows on the review date with a week of look-back.',
  endpoint: { method: 'POST', path: '/v2/stats/activity/scorecards' },
  // Gong answers manual reviews only unless asked for both ("Default value: MANUAL", 2026 spec;
  // PostHog's Gong source sends BOTH for the same reason): without it every automatic review is lost.
  request: ({ window }) => ({
    body: { filter: { reviewFromDate: window?.from, reviewToDate: window?.to, reviewMethod: DEFAULT_REVIEW_METHOD } },
  }),
  recordsKey: 'answeredScorecards',
  paginated: true,
  replication: { kind: 'date_windows', granularity: 'date', lookbackDays: 7, maxWindowDays: 366, upperBound: 'tomorrow' },
  tables: [
    { name: 'stats_activity_scorecards', primaryKey: ['answered_scorecard_id'] },
    {
      name: 'scorecard_answers',
      primaryKey: ['answered_scorecard_id', 'question_id'],
      replaceChildrenOf: { table: 'stats_activity_scorecards', parentColumn: 'answered_scorecard_id', column: 'answered_scorecard_id' },
    },
  ],
  recordId: (s) => idText(s?.answeredScorecardId) ?? '?',
  toRows: (s) => {
    const id = requireId(s.answeredScorecardId, 'answeredScorecardId');
    const review = {
      answered_scorecard_id: id,
      scorecard_id: idText(s.scorecardId),
      scorecard_name: text(s.scorecardName),
      call_id: idText(s.callId),
      call_start_time: text(s.callStartTime),
      call_start_time_utc: utcIso(s.callStartTime),
      reviewed_user_id: idText(s.reviewedUserId),
      reviewer_user_id: idText(s.reviewerUserId),
      review_method: text(s.reviewMethod),
      editor_user_id: idText(s.editorUserId),
      answered_date_time: text(s.answeredDateTime),
      review_time: text(s.reviewTime),
      review_time_utc: utcIso(s.reviewTime),
      visibility_type: text(s.visibilityType),
      visibility: text(s.visibility),
      overall_score: real(s.overallScore),
    };
    const answers = asArray(s.answers)
      .filter((a) => idText(a?.questionId))
      .map((a) => ({
        answered_scorecard_id: id,
        question_id: idText(a.questionId),
        question_revision_id: idText(a.questionRevisionId),
        is_overall: bool(a.isOverall),
        answer: text(a.answer),
        answer_text: text(a.answerText),
        score: real(a.score),
        not_applicable: bool(a.notApplicable),
        selected_options: jsonText(a.selectedOptions),
      }));
    // Stored once: the review's fields and answers are in the columns, raw keeps the rest.
    const stored = storedOnce(s, slimReview(s), (slim) => restoreReview(slim, review, answers));
    return { stats_activity_scorecards: [{ ...review, raw: raw(stored) }], scorecard_answers: answers };
  },
});

/** Review fields held by a text column of the same value (camelCase field: snake_case column). */
const REVIEW_TEXT_FIELDS: Array<[string, string]> = [
  ['answeredScorecardId', 'answered_scorecard_id'],
  ['scorecardId', 'scorecard_id'],
  ['scorecardName', 'scorecard_name'],
  ['callId', 'call_id'],
  ['callStartTime', 'call_start_time'],
  ['reviewedUserId', 'reviewed_user_id'],
  ['reviewerUserId', 'reviewer_user_id'],
  ['reviewMethod', 'review_method'],
  ['editorUserId', 'editor_user_id'],
  ['answeredDateTime', 'answered_date_time'],
  ['reviewTime', 'review_time'],
  ['visibilityType', 'visibility_type'],
  ['visibility', 'visibility'],
];

/** The columns a review is given back from (besides raw). */
export const REVIEW_COLUMNS = [...REVIEW_TEXT_FIELDS.map(([, column]) => column), 'overall_score'];

const ANSWER_FIELDS: Array<[string, string, 'text' | 'flag' | 'number' | 'json']> = [
  ['questionRevisionId', 'question_revision_id', 'text'],
  ['isOverall', 'is_overall', 'flag'],
  ['answer', 'answer', 'text'],
  ['answerText', 'answer_text', 'text'],
  ['score', 'score', 'number'],
  ['notApplicable', 'not_applicable', 'flag'],
  ['selectedOptions', 'selected_options', 'json'],
];

/** A review without what its columns hold; each answer keeps only its question id (their order). */
function slimReview(s: Record<string, any>): Record<string, unknown> {
  const slim: Record<string, unknown> = { ...s };
  for (const [field] of REVIEW_TEXT_FIELDS) if (typeof s[field] === 'string') delete slim[field];
  if (typeof s.overallScore === 'number') delete slim.overallScore;
  if (Array.isArray(s.answers)) slim.answers = s.answers.map((a: any) => (a && typeof a === 'object' ? { questionId: a.questionId } : a));
  return slim;
}

/**
 * A review as Gong sent it, from `raw` (slim, or whole in rows stored before) with its row and its
 * scorecard_answers rows (as read from either database: flags 0/1 or booleans, JSON as text).
 */
export function restoreReview(
  slim: Record<string, any>,
  review: Record<string, unknown>,
  answers: Array<Record<string, unknown>>,
): Record<string, unknown> {
  const restored: Record<string, unknown> = {};
  for (const [field, column] of REVIEW_TEXT_FIELDS) if (typeof review[column] === 'string') restored[field] = review[column];
  if (review.overall_score !== null && review.overall_score !== undefined) restored.overallScore = Number(review.overall_score);
  Object.assign(restored, slim);
  if (Array.isArray(slim.answers)) {
    const byQuestion = new Map(answers.map((a) => [String(a.question_id), a]));
    restored.answers = slim.answers.map((kept: any) => {
      const row = kept && typeof kept === 'object' && Object.keys(kept).length === 1 ? byQuestion.get(String(kept.questionId)) : undefined;
      if (!row) return kept;
      const answer: Record<string, unknown> = { questionId: kept.questionId };
      for (const [field, column, kind] of ANSWER_FIELDS) {
        const value = row[column];
        if (value === null || value === undefined) continue;
        answer[field] =
          kind === 'flag'
            ? value === true || Number(value) === 1
            : kind === 'number'
              ? Number(value)
              : kind === 'json'
                ? typeof value === 'string'
                  ? JSON.parse(value)
                  : value
                : value;
      }
      return answer;
    });
  }
  return restored;
}
