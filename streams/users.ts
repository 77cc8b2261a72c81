import { defineStream } from './types.js';
import { bool, idText, jsonText, raw, requireId, text, utcIso } from './mapping.js';
import { USER_CHILD_TABLES, userChildRows, userSettingColumns } from './entity-children.js';

export const users = defineStream({
  name: 'users',
  description: 'All users of the Gong account (GET /v2/users), full refresh every run.',
  endpoint: { method: 'GET', path: '/v2/users' },
  request: () => ({}),
  recordsKey: 'users',
  paginated: true,
  replication: { kind: 'full_refresh' },
  get: { template: '/v2/users/{id}', recordKey: 'user' },
  tables: [{ name: 'users', primaryKey: ['id'] }, ...USER_CHILD_TABLES],
  recordId: (user) => idText(user?.id) ?? '?',
  toRows: (user) => ({
    users: [
      {
        id: requireId(user.id, 'id'),
        email_address: text(user.emailAddress),
        created: text(user.created),
        created_utc: utcIso(user.created),
        active: bool(user.active),
        email_aliases: jsonText(user.emailAliases),
        trusted_email_address: text(user.trustedEmailAddress),
        first_name: text(user.firstName),
        last_name: text(user.lastName),
        title: text(user.title),
        phone_number: text(user.phoneNumber),
        extension: text(user.extension),
        personal_meeting_urls: jsonText(user.personalMeetingUrls),
        settings: jsonText(user.settings),
        ...userSettingColumns(user.settings),
        manager_id: idText(user.managerId),
        meeting_consent_page_url: text(user.meetingConsentPageUrl),
        spoken_languages: jsonText(user.spokenLanguages),
        raw: raw(user),
      },
    ],
    ...userChildRows(requireId(user.id, 'id'), user),
  }),
});
