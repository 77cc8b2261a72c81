import { Random, hashString } from './random.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SimulatedAccountOptions {
  seed?: number;
  users?: number;
  managers?: number;
  workspaces?: number;
  /** Calls spread over the last `days` days. */
  calls?: number;
  days?: number;
  /** Sentences per transcript, [min, max]. */
  sentencesPerCall?: [number, number];
  /** Share of calls with an answered scorecard. */
  scorecardShare?: number;
  now?: Date;
}

export interface SimUser {
  id: string;
  emailAddress: string;
  created: string;
  active: boolean;
  emailAliases: string[];
  trustedEmailAddress: string | null;
  firstName: string;
  lastName: string;
  title: string | null;
  phoneNumber: string | null;
  extension: string | null;
  personalMeetingUrls: string[];
  settings: Record<string, boolean>;
  managerId: string | null;
  meetingConsentPageUrl: string | null;
  spokenLanguages: Array<{ language: string; primary: boolean }>;
}

export interface SimParty {
  id: string;
  emailAddress: string | null;
  name: string;
  title: string | null;
  userId: string | null;
  speakerId: string;
  affiliation: 'Internal' | 'External' | 'Unknown';
  methods: string[];
  phoneNumber: string | null;
  context: unknown[];
}

export interface SimCall {
  record: Record<string, unknown> & { id: string; started: string; workspaceId: string; primaryUserId: string; duration: number };
  parties: SimParty[];
  /** Hidden calls (published late by Gong) are not listed until released. */
  visible: boolean;
  transcriptReady: boolean;
  sentences: number;
  startedMs: number;
}

export interface SimAnsweredScorecard {
  record: Record<string, unknown> & {
    answeredScorecardId: string;
    reviewTime: string;
    reviewMethod: string;
    reviewerUserId: string | null;
  };
  reviewMs: number;
  callId: string;
}

const FIRST = [
  'Ada',
  'Ben',
  'Chen',
  'Dana',
  'Eli',
  'Fatima',
  'Gus',
  'Hana',
  'Ivan',
  'Jo',
  'Kai',
  'Lena',
  'Mo',
  'Nia',
  'Omar',
  'Pia',
  'Quinn',
  'Rosa',
  'Sam',
  'Tove',
];
const LAST = ['Adler', 'Berg', 'Costa', 'Diaz', 'Eriksen', 'Fox', 'Garcia', 'Hill', 'Ito', 'Jensen', 'Kim', 'Lund', 'Moreau', 'Novak'];
const TOPICS = ['Introduction', 'Pricing', 'Next Steps', 'Competition', 'Product Demo', 'Security', 'Timeline', 'Small Talk'];
const WORDS =
  'we could look at the rollout plan for next quarter and the pricing tiers that fit your team budget renewal integration security review timeline demo onboarding champion decision procurement'.split(
    ' ',
  );
const SYSTEMS = ['Zoom', 'Google Meet', 'Microsoft Teams', 'Outreach'];
const TRACKER_NAMES = ['Competitors', 'Pricing', 'Budget', 'Security', 'Next Steps', 'Timeline'];
/** The company's call outcomes (GET /v2/call-outcomes); extensive calls name one of them. */
export const CALL_OUTCOMES = [
  {
    callOutcome: 'Qualified',
    displayOrder: 1,
    connectStatus: 'CONNECTED',
    sentiment: 'POSITIVE',
    category: 'ANSWERED',
    todoAction: 'COMPLETE',
    automation: null,
  },
  {
    callOutcome: 'Follow-up',
    displayOrder: 2,
    connectStatus: 'CONNECTED',
    sentiment: 'NEUTRAL',
    category: 'ANSWERED',
    todoAction: null,
    automation: null,
  },
  {
    callOutcome: 'No decision',
    displayOrder: 3,
    connectStatus: 'CONNECTED',
    sentiment: 'NEUTRAL',
    category: 'ANSWERED',
    todoAction: null,
    automation: null,
  },
  {
    callOutcome: 'Not interested',
    displayOrder: 4,
    connectStatus: 'CONNECTED',
    sentiment: 'NEGATIVE',
    category: 'ANSWERED',
    todoAction: 'COMPLETE_AND_REMOVE',
    automation: 'MARK_AS_OPT_OUT',
  },
  {
    callOutcome: 'No answer',
    displayOrder: 5,
    connectStatus: 'NOT_CONNECTED',
    sentiment: 'NEUTRAL',
    category: 'NOT_ANSWERED',
    todoAction: null,
    automation: null,
  },
  {
    callOutcome: 'Left voicemail',
    displayOrder: 6,
    connectStatus: 'NOT_CONNECTED',
    sentiment: 'NEUTRAL',
    category: 'NOT_ANSWERED',
    todoAction: null,
    automation: null,
  },
];

/** What each tracker hears, per phrase (the first four trackers fire in calls). */
const TRACKER_PHRASES: Record<string, string[]> = {
  Competitors: ['Acme', 'Globex', 'Initech'],
  Pricing: ['price', 'discount'],
  Budget: ['budget'],
  Security: ['SOC 2', 'single sign-on'],
};

/** The customer of a call, from its title ("Pricing with Lovelace Inc"). */
function companyOf(call: SimCall): string {
  return /with (.+)$/.exec(String(call.record.title))?.[1] ?? 'Unknown Inc';
}

function crmId(prefix: string, key: string): string {
  return prefix + String(hashString(key)).padStart(12, '0').slice(0, 12);
}

/** The CRM contact behind an external participant. */
function contactContextOf(email: string): unknown[] {
  return [
    {
      system: 'Salesforce',
      objects: [{ objectType: 'Contact', objectId: crmId('003', email), fields: [{ name: 'Email', value: email }], timing: 'Now' }],
    },
  ];
}

/** CRM context of an external call: its account and the account's open opportunity (shared by the account's calls). */
function crmContextOf(call: SimCall): unknown[] {
  if (call.record.scope !== 'External') return [];
  const company = companyOf(call);
  return [
    {
      system: 'Salesforce',
      objects: [
        {
          objectType: 'Account',
          objectId: crmId('001', company),
          fields: [
            { name: 'Name', value: company },
            { name: 'Industry', value: 'Software' },
            { name: 'Website', value: null },
          ],
          timing: 'TimeOfCall',
        },
        {
          objectType: 'Opportunity',
          objectId: crmId('006', company),
          fields: [
            { name: 'Name', value: `${company} - New Business` },
            { name: 'StageName', value: 'Discovery' },
            { name: 'Amount', value: 1000 * ((hashString(company) % 90) + 10) },
            { name: 'Probability', value: 40 },
            { name: 'CloseDate', value: '2027-03-31' },
            { name: 'Competitors', value: ['Acme', 'Globex'] },
          ],
          timing: 'TimeOfCall',
        },
      ],
    },
  ];
}

/**
 * A seeded, realistic Gong account: users with managers, workspaces, a year of calls with
 * parties, transcripts (generated on demand from the call id), answered scorecards, scorecard
 * and tracker settings, library folders and the stats derived from them.
 */
export class SimulatedAccount {
  readonly users: SimUser[] = [];
  readonly workspaces: Array<{ id: string; workspaceId: string; name: string; description: string }> = [];
  readonly calls: SimCall[] = [];
  readonly answeredScorecards: SimAnsweredScorecard[] = [];
  readonly scorecardSettings: Array<Record<string, unknown>> = [];
  readonly trackers: Array<Record<string, unknown>> = [];
  /** Each folder's entries in order; an id listed twice is the same call filed as two clips. */
  readonly folders: Array<{ workspaceId: string; folder: Record<string, unknown>; callIds: string[] }> = [];
  private readonly callById = new Map<string, SimCall>();
  private readonly usedIds = new Set<string>();
  private readonly random: Random;
  private readonly sentenceRange: [number, number];
  private readonly scorecardShare: number;

  constructor(options: SimulatedAccountOptions = {}) {
    this.random = new Random(options.seed ?? 20261125);
    this.sentenceRange = options.sentencesPerCall ?? [20, 80];
    this.scorecardShare = options.scorecardShare ?? 0.3;
    const now = (options.now ?? new Date()).getTime();
    const workspaceCount = options.workspaces ?? 2;
    for (let i = 0; i < workspaceCount; i++) {
      const id = this.newId(19);
      this.workspaces.push({
        id,
        workspaceId: id,
        name: ['Sales', 'Customer Success', 'Partners'][i % 3]!,
        description: `Workspace ${i + 1}`,
      });
    }
    this.createUsers(options.users ?? 24, options.managers ?? 4, now);
    this.createSettings(now);
    const days = options.days ?? 365;
    const callCount = options.calls ?? 400;
    for (let i = 0; i < callCount; i++) {
      // Spread over the period, the newest an hour ago (Gong needs time to process a call).
      const startedMs = now - HOUR_MS - Math.floor(this.random.next() * (days * DAY_MS - 2 * HOUR_MS));
      this.addCall(startedMs, { visible: true, transcriptReady: true, now });
    }
    this.calls.sort((a, b) => a.startedMs - b.startedMs || a.record.id.localeCompare(b.record.id));
    this.createFolders(now);
  }

  // ---- mutation, for tests and the demo -----------------------------------------------------

  /** New calls that started within the last `withinHours` hours, visible now. */
  addCalls(count: number, options: { withinHours?: number; transcriptReady?: boolean; now?: Date } = {}): SimCall[] {
    const now = (options.now ?? new Date()).getTime();
    const added: SimCall[] = [];
    for (let i = 0; i < count; i++) {
      const startedMs = now - 60_000 - Math.floor(this.random.next() * (options.withinHours ?? 12) * HOUR_MS);
      added.push(this.addCall(startedMs, { visible: true, transcriptReady: options.transcriptReady ?? true, now }));
    }
    return added;
  }

  /** Calls that started `ageDays` ago but that Gong publishes only later (see releaseLateCalls). */
  addLateCalls(count: number, options: { ageDays?: number; now?: Date } = {}): SimCall[] {
    const now = (options.now ?? new Date()).getTime();
    const added: SimCall[] = [];
    for (let i = 0; i < count; i++) {
      const startedMs = now - (options.ageDays ?? 2) * DAY_MS - Math.floor(this.random.next() * HOUR_MS);
      added.push(this.addCall(startedMs, { visible: false, transcriptReady: false, now }));
    }
    return added;
  }

  releaseLateCalls(): number {
    let released = 0;
    for (const call of this.calls) if (!call.visible) (call.visible = true), released++;
    return released;
  }

  /** Marks the transcripts of `callIds` (or of every visible call) as published. */
  releaseTranscripts(callIds?: string[]): number {
    let released = 0;
    const wanted = callIds ? new Set(callIds) : undefined;
    for (const call of this.calls) {
      if (!call.transcriptReady && call.visible && (!wanted || wanted.has(call.record.id))) {
        call.transcriptReady = true;
        released++;
      }
    }
    return released;
  }

  getCall(id: string): SimCall | undefined {
    return this.callById.get(id);
  }

  visibleCalls(): SimCall[] {
    return this.calls.filter((c) => c.visible);
  }

  // ---- derived records ----------------------------------------------------------------------

  transcriptOf(call: SimCall): {
    callId: string;
    transcript: Array<{ speakerId: string; topic: string; sentences: Array<{ start: number; end: number; text: string }> }>;
  } {
    const random = new Random(hashString(call.record.id));
    const transcript: Array<{ speakerId: string; topic: string; sentences: Array<{ start: number; end: number; text: string }> }> = [];
    let t = 0;
    let remaining = call.sentences;
    while (remaining > 0) {
      const party = call.parties[transcript.length % call.parties.length]!;
      const count = Math.min(remaining, random.int(1, 6));
      const sentences = [];
      for (let i = 0; i < count; i++) {
        const words = random.int(4, 16);
        let text = '';
        for (let w = 0; w < words; w++) text += (w ? ' ' : '') + WORDS[random.int(0, WORDS.length - 1)];
        const duration = words * 350;
        sentences.push({ start: t, end: t + duration, text: text[0]!.toUpperCase() + text.slice(1) + '.' });
        t += duration + random.int(100, 900);
      }
      transcript.push({ speakerId: party.speakerId, topic: TOPICS[random.int(0, TOPICS.length - 1)]!, sentences });
      remaining -= count;
    }
    return { callId: call.record.id, transcript };
  }

  /** speakerKey: Gong's speakers[].id is the party's id; the reference's shape used its speakerId. */
  extensiveOf(
    call: SimCall,
    exposed: Record<string, any>,
    media?: { audioUrl: string; videoUrl: string | null },
    speakerKey: 'id' | 'speakerId' = 'id',
    withContext = true,
  ): Record<string, unknown> {
    const random = new Random(hashString('x' + call.record.id));
    const more = new Random(hashString('y' + call.record.id));
    const out: Record<string, unknown> = { metaData: call.record };
    if (withContext) out.context = crmContextOf(call);
    const content = exposed.content ?? {};
    const interaction = exposed.interaction ?? {};
    if (exposed.parties) out.parties = call.parties;
    const contentOut: Record<string, unknown> = {};
    if (content.topics) contentOut.topics = TOPICS.slice(0, 4).map((name) => ({ name, duration: random.int(10, 600) }));
    if (content.trackers) {
      contentOut.trackers = TRACKER_NAMES.slice(0, 4).map((name, i) => {
        const phrases = TRACKER_PHRASES[name]!.map((phrase) => {
          const occurrences = Array.from({ length: random.int(0, 2) }, () => ({
            startTime: random.int(0, Math.max(1, call.record.duration)),
            speakerId: call.parties[more.int(0, call.parties.length - 1)]!.speakerId,
          }));
          return { phrase, count: occurrences.length, occurrences };
        });
        const occurrences = phrases.flatMap((p) => p.occurrences).sort((a, b) => a.startTime - b.startTime);
        return {
          id: String(this.trackers[i]?.trackerId ?? i),
          name,
          type: 'KEYWORD',
          count: occurrences.length,
          ...(content.trackerOccurrences ? { occurrences, phrases } : {}),
        };
      });
    }
    if (content.brief) contentOut.brief = `Discussed ${TOPICS[random.int(0, 7)]} with ${call.parties.length} participants.`;
    if (content.outline) {
      contentOut.outline = [
        {
          section: 'Opening',
          startTime: 0,
          duration: 120,
          items: [
            { text: 'Agenda', startTime: 10 },
            { text: 'Introductions', startTime: 45 },
          ],
        },
        {
          section: 'Pricing',
          startTime: 120,
          duration: 300,
          items: [{ text: `Tiers for ${companyOf(call)}`, startTime: 130 + more.int(0, 100) }],
        },
      ];
    }
    if (content.highlights) {
      contentOut.highlights = [
        {
          title: 'Next steps',
          items: [
            { text: 'Send proposal', startTimes: [random.int(100, 900)] },
            { text: 'Book a security review', startTimes: [more.int(900, 1500), more.int(1500, 2000)] },
          ],
        },
      ];
    }
    // Deprecated in Gong's 2026 spec: never asked for any more, but some tenants still send it
    // (with the brief, here), so the product must still parse it.
    if (content.pointsOfInterest || content.brief) {
      contentOut.pointsOfInterest = {
        actionItems: [
          {
            snippetStartTime: 600,
            snippetEndTime: 612,
            speakerID: call.parties[0]!.speakerId,
            snippet: "I'll send the proposal by Friday.",
          },
        ],
      };
    }
    if (content.keyPoints) contentOut.keyPoints = [{ text: 'Budget approved for Q1' }];
    if (content.callOutcome) {
      const outcome = random.pick(CALL_OUTCOMES);
      contentOut.callOutcome = {
        id: String(outcome.displayOrder),
        category: outcome.category === 'ANSWERED' ? 'Answered' : 'Not answered',
        name: outcome.callOutcome,
      };
    }
    if (content.structure) contentOut.structure = [{ name: 'Intro', duration: 60 }];
    if (Object.keys(contentOut).length > 0) out.content = contentOut;
    const interactionOut: Record<string, unknown> = {};
    if (interaction.speakers) {
      interactionOut.speakers = call.parties.map((p) => ({
        id: p[speakerKey],
        userId: p.userId,
        talkTime: random.int(30, call.record.duration),
      }));
    }
    if (interaction.personInteractionStats) {
      interactionOut.interactionStats = [
        { name: 'Talk Ratio', value: Math.round(random.next() * 100) / 100 },
        { name: 'Longest Monologue', value: random.int(20, 300) },
        { name: 'Interactivity', value: Math.round(random.next() * 1000) / 100 },
        { name: 'Patience', value: Math.round(random.next() * 300) / 100 },
      ];
    }
    if (interaction.questions) interactionOut.questions = { companyCount: random.int(0, 20), nonCompanyCount: random.int(0, 20) };
    if (interaction.video) interactionOut.video = [{ name: 'Browser', duration: random.int(0, 600) }];
    if (Object.keys(interactionOut).length > 0) out.interaction = interactionOut;
    if (exposed.collaboration?.publicComments) {
      const manager = this.users.find((u) => u.id === this.users.find((x) => x.id === call.record.primaryUserId)?.managerId);
      const publicComments = manager
        ? Array.from({ length: more.int(0, 2) }, (_, i) => ({
            id: String(hashString(`comment ${call.record.id} ${i}`)) + String(1000 + i),
            audioStartTime: 60 * (i + 1),
            audioEndTime: 60 * (i + 1) + 15,
            commenterUserId: manager.id,
            comment: i === 0 ? 'Great discovery questions here.' : 'Handle pricing earlier next time.',
            posted: new Date(call.startedMs + (i + 2) * HOUR_MS).toISOString(),
            inReplyTo: null,
            duringCall: false,
          }))
        : [];
      out.collaboration = { publicComments };
    }
    if (exposed.media && media) out.media = media;
    return out;
  }

  // ---- generation ---------------------------------------------------------------------------

  private newId(digits: number): string {
    for (;;) {
      const id = this.random.digits(digits);
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  private createUsers(count: number, managers: number, now: number) {
    for (let i = 0; i < count; i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      const id = this.newId(19);
      const managerId =
        i === 0 ? null : i < managers ? this.users[0]!.id : (this.users[1 + (i % Math.max(1, managers - 1))]?.id ?? this.users[0]!.id);
      this.users.push({
        id,
        emailAddress: `${first}.${last}${i}@example.com`.toLowerCase(),
        created: new Date(now - this.random.int(400, 1500) * DAY_MS).toISOString(),
        active: this.random.chance(0.92),
        emailAliases: i % 3 === 0 ? [`${first}.${last}@old.example.com`.toLowerCase()] : [],
        trustedEmailAddress: null,
        firstName: first,
        lastName: last,
        title: i < managers ? 'Sales Manager' : 'Account Executive',
        phoneNumber: this.random.chance(0.5) ? `+1 555 01${String(i).padStart(2, '0')}` : null,
        extension: null,
        personalMeetingUrls: [`https://zoom.us/j/${this.random.digits(10)}`],
        settings: {
          webConferencesRecorded: true,
          preventWebConferenceRecording: false,
          telephonyCallsImported: i % 2 === 0,
          emailsImported: true,
          preventEmailImport: false,
          nonRecordedMeetingsImported: i % 4 === 0,
          gongConnectEnabled: true,
        },
        managerId,
        meetingConsentPageUrl: null,
        spokenLanguages:
          i % 5 === 0
            ? [
                { language: 'en-US', primary: true },
                { language: 'es-ES', primary: false },
              ]
            : [{ language: 'en-US', primary: true }],
      });
    }
  }

  private createSettings(now: number) {
    for (let s = 0; s < 3; s++) {
      const questions = Array.from({ length: 4 }, (_, q) => ({
        // Ids above 2^53: the simulator sends these as bare JSON numbers, as Gong does.
        questionId: '9' + this.random.digits(18),
        questionRevisionId: '9' + this.random.digits(18),
        questionText: ['Did the rep set an agenda?', 'Were next steps agreed?', 'Was pricing handled well?', 'Overall'][q],
        questionType: q === 3 ? 'RATING' : 'YES_NO',
        isRequired: q < 2,
        isOverall: q === 3,
        updaterUserId: this.users[0]!.id,
        answerGuide: null,
        minRange: q === 3 ? '1' : null,
        maxRange: q === 3 ? '5' : null,
        created: new Date(now - 300 * DAY_MS).toISOString(),
        updated: new Date(now - 30 * DAY_MS).toISOString(),
        answerOptions:
          q === 3
            ? []
            : [
                { optionId: '1', optionText: 'Yes', score: 1 },
                { optionId: '2', optionText: 'No', score: 0 },
              ],
      }));
      this.scorecardSettings.push({
        scorecardId: '9' + this.random.digits(18),
        scorecardName: ['Discovery', 'Demo', 'Negotiation'][s],
        workspaceId: s === 2 ? null : this.workspaces[0]!.id,
        enabled: s !== 1,
        updaterUserId: this.users[0]!.id,
        created: new Date(now - 320 * DAY_MS).toISOString(),
        updated: new Date(now - 20 * DAY_MS).toISOString(),
        reviewMethod: 'MANUAL',
        questions,
      });
    }
    TRACKER_NAMES.forEach((name, i) => {
      this.trackers.push({
        trackerId: this.random.digits(19),
        trackerName: name,
        workspaceId: i % 2 === 0 ? this.workspaces[0]!.id : null,
        languageKeywords: [{ language: 'eng', keywords: [name.toLowerCase()], includeRelatedForms: true }],
        affiliation: 'Whole Call',
        partOfQuestion: false,
        saidAt: 'Anytime',
        saidAtInterval: i % 3 === 1 ? 5 : null,
        saidAtUnit: i % 3 === 1 ? 'MINUTES' : null,
        saidInTopics: [],
        saidInCallParts: i % 2 === 0 ? ['ENTIRE_CALL'] : ['FIRST_MINUTES'],
        filterQuery: '',
        created: new Date(now - 200 * DAY_MS).toISOString(),
        creatorUserId: this.users[0]!.id,
        updated: new Date(now - 10 * DAY_MS).toISOString(),
        updaterUserId: null,
      });
    });
  }

  private addCall(startedMs: number, options: { visible: boolean; transcriptReady: boolean; now: number }): SimCall {
    const random = this.random;
    const id = this.newId(random.chance(0.5) ? 19 : 18);
    const reps = this.users.filter((u) => u.managerId !== null);
    const host = random.pick(reps.length > 0 ? reps : this.users);
    const workspace = this.workspaces[random.int(0, this.workspaces.length - 1)]!;
    const started = new Date(startedMs).toISOString();
    const duration = random.int(120, 3600);
    const media = random.chance(0.7) ? 'Video' : 'Audio';
    const record = {
      id,
      url: `https://app.gong.io/call?id=${id}`,
      title: `${random.pick(TOPICS)} with ${random.pick(LAST)} Inc`,
      scheduled: new Date(startedMs - random.int(0, 10) * 60_000).toISOString(),
      started,
      duration,
      primaryUserId: host.id,
      direction: random.pick(['Conference', 'Inbound', 'Outbound']),
      system: random.pick(SYSTEMS),
      scope: random.pick(['External', 'External', 'Internal']),
      media,
      language: 'eng',
      workspaceId: workspace.id,
      sdrDisposition: null,
      clientUniqueId: null,
      customData: null,
      purpose: null,
      meetingUrl: `https://zoom.us/j/${random.digits(10)}`,
      isPrivate: random.chance(0.05),
      calendarEventId: random.chance(0.8) ? random.digits(12) : null,
    };
    const parties: SimParty[] = [
      {
        id: random.digits(17),
        emailAddress: host.emailAddress,
        name: `${host.firstName} ${host.lastName}`,
        title: host.title,
        userId: host.id,
        speakerId: random.digits(16),
        affiliation: 'Internal',
        methods: ['Invitee'],
        phoneNumber: null,
        context: [],
      },
    ];
    for (let p = random.int(1, 3); p > 0; p--) {
      const first = random.pick(FIRST);
      const last = random.pick(LAST);
      parties.push({
        id: random.digits(17),
        emailAddress: `${first}@${last}.example`.toLowerCase(),
        name: `${first} ${last}`,
        title: random.pick(['CFO', 'VP Sales', 'Engineer', null]),
        userId: null,
        speakerId: random.digits(16),
        affiliation: 'External',
        methods: ['Invitee'],
        phoneNumber: null,
        context: contactContextOf(`${first}@${last}.example`.toLowerCase()),
      });
    }
    const call: SimCall = {
      record,
      parties,
      visible: options.visible,
      transcriptReady: options.transcriptReady,
      sentences: random.int(this.sentenceRange[0], this.sentenceRange[1]),
      startedMs,
    };
    this.calls.push(call);
    this.callById.set(id, call);
    if (random.chance(this.scorecardShare)) {
      const reviewMs = startedMs + random.int(1, 72) * HOUR_MS;
      if (reviewMs < options.now) this.addAnsweredScorecard(call, reviewMs, random);
    }
    return call;
  }

  private addAnsweredScorecard(call: SimCall, reviewMs: number, random: Random) {
    const setting = this.scorecardSettings[random.int(0, this.scorecardSettings.length - 1)]!;
    const reviewer =
      this.users.find((u) => u.id === this.users.find((x) => x.id === call.record.primaryUserId)?.managerId) ?? this.users[0]!;
    const questions = setting.questions as Array<Record<string, any>>;
    const answers = questions.map((q) => ({
      questionId: q.questionId,
      questionRevisionId: q.questionRevisionId,
      isOverall: q.isOverall,
      answer: q.isOverall ? String(random.int(1, 5)) : random.pick(['Yes', 'No']),
      answerText: random.chance(0.3) ? 'Good pacing, clear agenda.' : null,
      score: random.int(1, 5),
      notApplicable: false,
      selectedOptions: null,
    }));
    const overall = answers.reduce((s, a) => s + a.score, 0) / answers.length;
    const id = this.newId(19);
    const automatic = !random.chance(0.8);
    this.answeredScorecards.push({
      record: {
        answeredScorecardId: id,
        scorecardId: setting.scorecardId as string,
        scorecardName: setting.scorecardName as string,
        callId: call.record.id,
        callStartTime: call.record.started,
        reviewedUserId: call.record.primaryUserId,
        // Gong's 2026 spec: no reviewer for an automatic review; a person may have edited it since.
        reviewerUserId: automatic ? null : reviewer.id,
        reviewMethod: automatic ? 'AUTOMATIC' : 'MANUAL',
        editorUserId: automatic && hashString(id) % 3 === 0 ? reviewer.id : null,
        answeredDateTime: new Date(reviewMs).toISOString(),
        reviewTime: new Date(reviewMs).toISOString(),
        visibilityType: 'PUBLIC',
        answers,
        overallScore: Math.round(overall * 100) / 100,
        visibility: 'public',
      },
      reviewMs,
      callId: call.record.id,
    });
  }

  private createFolders(now: number) {
    const visible = this.calls;
    for (const workspace of this.workspaces) {
      ['Best discovery calls', 'Objection handling', 'Onboarding'].forEach((name, i) => {
        const size = i === 0 ? Math.min(visible.length, 130) : Math.min(visible.length, 5 + i * 7);
        const callIds = [];
        for (let c = 0; c < size; c++) callIds.push(visible[(c * 7 + i * 13) % visible.length]!.record.id);
        this.folders.push({
          workspaceId: workspace.id,
          folder: {
            id: this.random.digits(19),
            name,
            parentFolderId: null,
            createdBy: this.users[0]!.id,
            updated: new Date(now - (i + 1) * DAY_MS).toISOString(),
          },
          // A call can be filed twice, as two clips (Gong keys entries by folder, call and created).
          callIds: i === 1 && callIds.length > 0 ? [...new Set(callIds), callIds[0]!] : [...new Set(callIds)],
        });
      });
    }
  }
}
