import { defineStream } from './types.js';
import { asArray, bool, idText, jsonText, raw, requireId, text } from './mapping.js';
import { SCORECARD_CHILD_TABLES, scorecardAnswerOptionRows } from './entity-children.js';

export const settingsScorecards = defineStream({
  name: 'settings_scorecards',
  description: 'Scorecard definitions and their questions (GET /v2/settings/scorecards); ids arrive as bare 19-digit numbers.',
  endpoint: { method: 'GET', path: '/v2/settings/scorecards' },
  request: () => ({}),
  recordsKey: 'scorecards',
  paginated: false,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  tables: [
    { name: 'settings_scorecards', primaryKey: ['scorecard_id'] },
    {
      name: 'scorecard_questions',
      primaryKey: ['scorecard_id', 'question_id'],
      replaceChildrenOf: { table: 'settings_scorecards', parentColumn: 'scorecard_id', column: 'scorecard_id' },
    },
    ...SCORECARD_CHILD_TABLES,
  ],
  recordId: (s) => idText(s?.scorecardId) ?? '?',
  toRows: (s) => {
    const scorecardId = requireId(s.scorecardId, 'scorecardId');
    return {
      settings_scorecards: [
        {
          scorecard_id: scorecardId,
          scorecard_name: text(s.scorecardName),
          workspace_id: idText(s.workspaceId),
          enabled: bool(s.enabled),
          updater_user_id: idText(s.updaterUserId),
          created: text(s.created),
          updated: text(s.updated),
          review_method: text(s.reviewMethod),
          raw: raw(s),
        },
      ],
      scorecard_questions: asArray(s.questions)
        .filter((q) => idText(q?.questionId))
        .map((q) => ({
          scorecard_id: scorecardId,
          question_id: idText(q.questionId),
          question_revision_id: idText(q.questionRevisionId),
          question_text: text(q.questionText),
          question_type: text(q.questionType),
          is_required: bool(q.isRequired),
          is_overall: bool(q.isOverall),
          updater_user_id: idText(q.updaterUserId),
          answer_guide: text(q.answerGuide),
          min_range: text(q.minRange),
          max_range: text(q.maxRange),
          created: text(q.created),
          updated: text(q.updated),
          answer_options: jsonText(q.answerOptions),
        })),
      scorecard_answer_options: scorecardAnswerOptionRows(scorecardId, s.questions),
    };
  },
});
