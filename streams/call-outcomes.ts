import { defineStream } from './types.js';
import { integer, raw, requireId, text } from './mapping.js';

/**
 * The company's call outcome definitions (GET /v2/call-outcomes, Gong's 2026 spec): what each
 * outcome a call can end with means. `calls_extensive.call_outcome_name` names one of them; the
 * view `call_outcome_details` joins the two.
 */
export const callOutcomes = defineStream({
  name: 'call_outcomes',
  description: 'Call outcome definitions (GET /v2/call-outcomes): display order, connect status, sentiment; full refresh at most daily.',
  endpoint: { method: 'GET', path: '/v2/call-outcomes' },
  request: () => ({}),
  recordsKey: 'outcomes',
  paginated: false,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  tables: [{ name: 'call_outcomes', primaryKey: ['call_outcome'] }],
  recordId: (o) => text(o?.callOutcome) ?? '?',
  toRows: (o) => ({
    call_outcomes: [
      {
        call_outcome: requireId(text(o.callOutcome), 'callOutcome'),
        display_order: integer(o.displayOrder),
        connect_status: text(o.connectStatus),
        sentiment: text(o.sentiment),
        category: text(o.category),
        todo_action: text(o.todoAction),
        automation: text(o.automation),
        raw: raw(o),
      },
    ],
  }),
});
