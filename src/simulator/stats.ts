import type { SimCall, SimulatedAccount } from './dataset.js';
import { Random, hashString } from './random.js';

const DAY_MS = 86_400_000;

/** Stats the simulator derives from its calls, per user, for [fromDate, toDate) in UTC days. */
export function callsInRange(account: SimulatedAccount, fromDate: string, toDate: string): SimCall[] {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const to = Date.parse(`${toDate}T00:00:00Z`);
  return account.calls.filter((c) => c.visible && c.startedMs >= from && c.startedMs < to);
}

export function aggregateActivity(account: SimulatedAccount, fromDate: string, toDate: string) {
  const calls = callsInRange(account, fromDate, toDate);
  return account.users.map((user) => {
    const hosted = calls.filter((c) => c.record.primaryUserId === user.id).length;
    const r = new Random(hashString(`${user.id}|${fromDate}|${toDate}`));
    return {
      userId: user.id,
      userEmailAddress: user.emailAddress,
      userAggregateActivityStats: {
        callsAsHost: hosted,
        callsGaveFeedback: r.int(0, 3),
        callsRequestedFeedback: r.int(0, 2),
        callsReceivedFeedback: r.int(0, 3),
        ownCallsListenedTo: r.int(0, hosted),
        othersCallsListenedTo: r.int(0, 10),
        callsSharedInternally: r.int(0, 4),
        callsSharedExternally: r.int(0, 2),
        callsScorecardsFilled: r.int(0, 3),
        callsScorecardsReceived: r.int(0, 3),
        callsAttended: hosted,
        callsCommentsGiven: r.int(0, 5),
        callsCommentsReceived: r.int(0, 5),
        callsMarkedAsFeedbackGiven: r.int(0, 2),
        callsMarkedAsFeedbackReceived: r.int(0, 2),
      },
    };
  });
}

/** One entry per user who hosted calls; one daily stats object per day with activity. */
export function dayByDayActivity(account: SimulatedAccount, fromDate: string, toDate: string) {
  const calls = callsInRange(account, fromDate, toDate);
  const byUser = new Map<string, Map<string, string[]>>();
  for (const call of calls) {
    const day = new Date(call.startedMs).toISOString().slice(0, 10);
    const days = byUser.get(call.record.primaryUserId) ?? new Map<string, string[]>();
    byUser.set(call.record.primaryUserId, days);
    (days.get(day) ?? days.set(day, []).get(day)!).push(call.record.id);
  }
  return account.users
    .filter((u) => byUser.has(u.id))
    .map((user) => ({
      userId: user.id,
      userEmailAddress: user.emailAddress,
      userDailyActivityStats: [...byUser.get(user.id)!.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, ids]) => ({
          callsAsHost: ids,
          callsGaveFeedback: [],
          callsRequestedFeedback: [],
          callsReceivedFeedback: [],
          ownCallsListenedTo: [],
          othersCallsListenedTo: [],
          callsSharedInternally: [],
          callsSharedExternally: [],
          callsAttended: ids,
          callsCommentsGiven: [],
          callsCommentsReceived: [],
          callsMarkedAsFeedbackGiven: [],
          callsMarkedAsFeedbackReceived: [],
          callsScorecardsFilled: [],
          callsScorecardsReceived: [],
          fromDate: `${day}T00:00:00Z`,
          toDate: new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().replace('.000', ''),
        })),
    }));
}

export function interactionStats(account: SimulatedAccount, fromDate: string, toDate: string) {
  const calls = callsInRange(account, fromDate, toDate);
  const hosts = new Set(calls.map((c) => c.record.primaryUserId));
  return account.users
    .filter((u) => hosts.has(u.id))
    .map((user) => {
      const r = new Random(hashString(`i|${user.id}|${fromDate}|${toDate}`));
      return {
        userId: user.id,
        userEmailAddress: user.emailAddress,
        personInteractionStats: [
          { name: 'Talk Ratio', value: Math.round(r.next() * 100) / 100 },
          { name: 'Longest Monologue', value: r.int(20, 400) },
          { name: 'Longest Customer Story', value: r.int(10, 200) },
          { name: 'Interactivity', value: Math.round(r.next() * 1000) / 100 },
          { name: 'Patience', value: Math.round(r.next() * 300) / 100 },
          { name: 'Question Rate', value: Math.round(r.next() * 2000) / 100 },
        ],
      };
    });
}

export function coachingData(account: SimulatedAccount, managerId: string, from: string, to: string) {
  const manager = account.users.find((u) => u.id === managerId);
  if (!manager) return [];
  const reports = account.users.filter((u) => u.managerId === managerId);
  if (reports.length === 0) return [];
  return [manager, ...reports].map((user) => {
    const r = new Random(hashString(`c|${managerId}|${user.id}|${from}|${to}`));
    return {
      userId: user.id,
      userEmailAddress: user.emailAddress,
      userName: `${user.firstName} ${user.lastName}`,
      isManager: user.id === managerId,
      coachingMetrics: {
        callsListened: r.int(0, 20),
        callsAttended: r.int(0, 10),
        callsWithFeedback: r.int(0, 8),
        callsWithComments: r.int(0, 8),
        scorecardsFilled: r.int(0, 6),
      },
    };
  });
}
