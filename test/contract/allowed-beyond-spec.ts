/**
 * What gong-sync sends that Gong's spec (the 2026-02-05 copy) does not name, on purpose. The
 * contract test refuses every other unknown query parameter or body field. Keep it short, and
 * give each entry its evidence (reference/GONG-API.md, "Beyond the spec").
 *
 * Empty today: `filter.reviewMethod` (answered scorecards), which the December 2024 copy lacked
 * and production integrations send, is listed by the 2026 spec itself.
 */
export interface AllowedBeyondSpec {
  /** "METHOD /path" as in the extract. */
  endpoint: string;
  /** `query NAME`, or a body field as the contract names it: `body /filter/name`. */
  field: string;
  evidence: string;
}

export const ALLOWED_BEYOND_SPEC: AllowedBeyondSpec[] = [];
