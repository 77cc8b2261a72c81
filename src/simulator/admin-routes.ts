/**
 * What changes a Gong account after the fact: deleted calls (by a user or by retention) and
 * data-privacy erasure. Gong keeps no tombstone: a deleted call simply stops appearing in every
 * list and answers 404 by id (reference/GONG-API.md, "Beyond the spec"). Gong's own data-privacy
 * routes are answered here too, and `/__admin/*` lets tests and the demo change the account over
 * HTTP (never under /v2/: Gong has no such route).
 */
import type { SimCall, SimulatedAccount } from './dataset.js';
import type { Answer, GongSimulator } from './server.js';
import { errorAnswer } from './server.js';
import type { SimRequest } from './routes.js';

/** Removes calls from the account, with their folder entries and answered scorecards; returns how many existed. */
export function deleteCalls(account: SimulatedAccount, ids: string[]): number {
  const wanted = new Set(ids.map(String));
  let deleted = 0;
  for (let i = account.calls.length - 1; i >= 0; i--) {
    const call = account.calls[i]!;
    if (!wanted.has(call.record.id)) continue;
    call.visible = false;
    account.calls.splice(i, 1);
    deleted++;
  }
  for (const folder of account.folders) folder.callIds = folder.callIds.filter((id) => !wanted.has(id));
  for (let i = account.answeredScorecards.length - 1; i >= 0; i--)
    if (wanted.has(account.answeredScorecards[i]!.callId)) account.answeredScorecards.splice(i, 1);
  return deleted;
}

/** The calls that reference an e-mail address or phone number: as a participant or in CRM context. */
export function callsMentioning(account: SimulatedAccount, who: { email?: string; phone?: string }): SimCall[] {
  const email = who.email?.trim().toLowerCase();
  const phone = who.phone?.replace(/\D/g, '');
  return account.calls.filter((call) => {
    const text = JSON.stringify(call.parties).toLowerCase();
    if (
      email &&
      call.parties.some((p) => p.emailAddress?.toLowerCase() === email || JSON.stringify(p.context).toLowerCase().includes(`"${email}"`))
    )
      return true;
    if (phone && phone.length >= 7 && text.replace(/[^\d"]/g, '').includes(phone)) return true;
    return false;
  });
}

/** Answers Gong's data-privacy routes and the simulator's `/__admin/*` routes; undefined for any other path. */
export function routeAdmin(sim: GongSimulator, req: SimRequest): Answer | undefined {
  const { method, path } = req;
  const account = sim.account;
  const visibleOnly = (calls: SimCall[]) => calls.filter((c) => c.visible);
  if (method === 'GET' && (path === '/v2/data-privacy/data-for-email-address' || path === '/v2/data-privacy/data-for-phone-number')) {
    const who = path.endsWith('email-address') ? { email: req.query.emailAddress } : { phone: req.query.phoneNumber };
    if (!who.email && !who.phone) return errorAnswer(400, `${path.endsWith('email-address') ? 'emailAddress' : 'phoneNumber'} is required`);
    const calls = visibleOnly(callsMentioning(account, who)).map((c) => ({ id: c.record.id, status: 'COMPLETED' }));
    return sim.ok({ requestId: 'r', calls, emails: [], meetings: [], customerData: [] });
  }
  if (
    method === 'POST' &&
    (path === '/v2/data-privacy/erase-data-for-email-address' || path === '/v2/data-privacy/erase-data-for-phone-number')
  ) {
    const who = path.endsWith('email-address') ? { email: req.query.emailAddress } : { phone: req.query.phoneNumber };
    if (!who.email && !who.phone) return errorAnswer(400, `${path.endsWith('email-address') ? 'emailAddress' : 'phoneNumber'} is required`);
    // Gong erases "within several hours"; the simulator does it at once.
    deleteCalls(
      account,
      callsMentioning(account, who).map((c) => c.record.id),
    );
    return sim.ok({ requestId: 'r' });
  }
  if (!path.startsWith('/__admin/')) return undefined;
  if (method === 'POST' && path === '/__admin/delete-calls') {
    const ids = Array.isArray(req.body?.callIds) ? (req.body.callIds as unknown[]).map(String) : [];
    if (ids.length === 0) return errorAnswer(400, 'callIds (a list of call ids) is required');
    return sim.ok({ deleted: deleteCalls(account, ids) });
  }
  if (method === 'POST' && path === '/__admin/unlisted-workspace-field') {
    sim.unlistedWorkspaceField = typeof req.body?.name === 'string' && req.body.name ? req.body.name : undefined;
    return sim.ok({ unlistedWorkspaceField: sim.unlistedWorkspaceField ?? null });
  }
  return errorAnswer(404, `Unknown admin route ${method} ${path}`);
}

/** Workspaces as answered, with the field Gong's spec does not list when one is set (schema drift). */
export function workspacesAnswer(sim: GongSimulator): unknown[] {
  const field = sim.unlistedWorkspaceField;
  return field ? sim.account.workspaces.map((w) => ({ ...w, [field]: `${field}-${w.id.slice(-4)}` })) : sim.account.workspaces;
}
