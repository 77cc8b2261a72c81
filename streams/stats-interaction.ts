import { defineStream } from './types.js';
import { MONTHLY_STATS, statsRequest } from './stats-request.js';
import { asArray, idText, real, raw, requireId, text } from './mapping.js';

export const statsInteraction = defineStream({
  name: 'stats_interaction',
  description: 'Interaction stats per user, calendar month and stat name (POST /v2/stats/interaction; Whisper-enabled calls only).',
  endpoint: { method: 'POST', path: '/v2/stats/interaction' },
  request: statsRequest(),
  recordsKey: 'peopleInteractionStats',
  paginated: true,
  replication: MONTHLY_STATS,
  tables: [{ name: 'stats_interaction', primaryKey: ['user_id', 'from_date', 'to_date', 'name'] }],
  recordId: (r) => idText(r?.userId) ?? '?',
  toRows: (r, { window }) => {
    const userId = requireId(r.userId, 'userId');
    return {
      stats_interaction: asArray(r.personInteractionStats)
        .filter((s) => typeof s?.name === 'string')
        .map((s) => ({
          user_id: userId,
          from_date: window!.from,
          to_date: window!.to,
          name: s.name,
          user_email_address: text(r.userEmailAddress),
          value: real(s.value),
          raw: raw(s),
        })),
    };
  },
});
