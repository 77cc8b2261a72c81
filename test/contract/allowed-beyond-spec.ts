/**
 * What gong-sync sends that Gong's spec (the 2026-02-05 copy) does not name, on purpose. The
 * contract test refuses every other unknown query parameter or body field. Keep it short, and
 * give each entry its evidence (reference/GONG-API.md, "Beyond the spec").
 *
 * `filter.reviewMethod` (answered scorecards), which the December 2024 copy lacked and production
 * integrations send, needs no entry: the 2026 spec lists it.
 */
export interface AllowedBeyondSpec {
  /** "METHOD /path" as in the extract. */
  endpoint: string;
  /** `query NAME`, or a body field as the contract names it: `body /filter/name`. */
  field: string;
  evidence: string;
}

export const ALLOWED_BEYOND_SPEC: AllowedBeyondSpec[] = [
  {
    endpoint: 'GET /v2/library/folder-content',
    field: 'query cursor',
    evidence:
      "sent only to give back a cursor the tenant's own answer carried: the connector reference documents " +
      '`cursor` for library_folder_content list and pages its records; Gong\'s spec answers a folder whole (reference/GONG-API.md, endpoints table: "none in the spec; follow one if given")',
  },
];
