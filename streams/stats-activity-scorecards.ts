import { defineStream } from './types.js';
import { asArray, bool, idText, jsonText, raw, real, requireId, text, utcIso } from './mapping.js';

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
    return {
      stats_activity_scorecards: [
        {
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
          raw: raw(s),
        },
      ],
      scorecard_answers: asArray(s.answers)
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
        })),
    };
  },
});
