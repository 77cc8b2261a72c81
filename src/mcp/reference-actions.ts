/**
 * The only place the MCP server depends on the shape of the reference's action table
 * (src/api/actions.ts): everything else reads the small view defined here.
 */
import { ACTIONS, translateParams, validateParams, type ActionSpec } from '../api/actions.js';
import { execute } from '../api/gong.js';
import type { GongClient } from '../gong/client.js';

/** The reference's parameter types, and whole numbers for the server's own tools. */
export type McpParamType = 'string' | 'boolean' | 'integer' | 'array<string>' | 'object';

export interface McpParam {
  type: McpParamType;
  required?: boolean;
  description?: string;
  /** The only values accepted (shown to the agent in the schema). */
  enum?: string[];
  fields?: Record<string, McpParam>;
}

export interface ReferenceAction {
  /** `<entity>_<action>`, e.g. calls_list. */
  tool: string;
  entity: string;
  action: 'list' | 'get' | 'download';
  method: string;
  path: string;
  params: Record<string, McpParam>;
  /** Every problem with these parameters, as sentences (empty when valid). */
  validate(params: Record<string, unknown>): string[];
  /** The parameters by Gong's names (the reference's names Gong does not know, translated). */
  translate(params: Record<string, unknown>): Record<string, unknown>;
}

export const REFERENCE_ACTIONS: ReferenceAction[] = ACTIONS.map((spec: ActionSpec) => ({
  tool: `${spec.entity}_${spec.action}`,
  entity: spec.entity,
  action: spec.action,
  method: spec.method,
  path: spec.path,
  params: withTranslatedNames(spec),
  validate: (params: Record<string, unknown>) => validateParams(spec, params),
  translate: (params: Record<string, unknown>) => translateParams(spec, params),
}));

/** The declared parameters plus the reference's names that are translated (e.g. filter.fromDateTime), so schemas accept them. */
function withTranslatedNames(spec: ActionSpec): Record<string, McpParam> {
  const params = structuredClone(spec.params) as Record<string, McpParam>;
  for (const translation of spec.translations ?? []) {
    const [parent, field] = translation.from.split('.');
    const target = field ? params[parent!]?.fields : params;
    const name = field ?? parent!;
    const to = translation.to.split('.').pop()!;
    const original = target?.[to];
    if (target && original && !(name in target))
      target[name] = { ...original, required: false, description: `The reference's name: ${translation.describe}.` };
  }
  return params;
}

/** The filter fields the endpoint registry declares for a list tool (empty when it takes no filter). */
export function filterFields(tool: string): string[] {
  const action = REFERENCE_ACTIONS.find((a) => a.tool === tool);
  const declared = Object.keys(action?.params.filter?.fields ?? {});
  return declared;
}

/** Runs one reference action live, through the given client (its pacing, retries and budget). */
export function executeLive(client: GongClient, action: ReferenceAction, params: Record<string, unknown>) {
  return execute(client, { entity: action.entity, action: action.action, params });
}
