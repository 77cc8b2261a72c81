import type { JsonSchema } from './json-schema.js';

/** One tool the server offers: its name, what it is for, its parameters, and what it does. */
export interface McpTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  /** MCP tool annotations: readOnlyHint (changes nothing), openWorldHint (may ask Gong), ... */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  run(args: Record<string, unknown>): Promise<unknown>;
}

/** A problem with the call the agent can fix (bad parameters, a refused query): a tool error, never a crash. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
