import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Largest request line accepted; a longer one is answered with an error and skipped. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * MCP over stdio, one JSON-RPC message per line, that never stops serving because of what a
 * client sent: a line over MAX_LINE_BYTES is skipped up to its newline and answered with an
 * "Invalid Request" error, a line that is not JSON with "Parse error", a JSON value that is not a
 * JSON-RPC message with "Invalid Request" (its id echoed when it has one). The SDK's own stdio
 * transport closes the session on an oversized line (the server then exited 0 without a word).
 */
export class SafeStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Inside an oversized line: bytes are dropped until its newline. */
  private skipping = false;
  private closed = false;

  constructor(
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
    private readonly report: (problem: string) => void = () => undefined,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
    this.input.on('end', this.onEnd);
  }

  private readonly onData = (chunk: Buffer | string) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (data.length > 0) {
      const newline = data.indexOf(0x0a);
      const part = newline === -1 ? data : data.subarray(0, newline);
      if (!this.skipping) {
        if (this.size + part.length > this.maxLineBytes) {
          this.skipping = true;
          this.chunks = [];
          this.size = 0;
        } else {
          this.chunks.push(part);
          this.size += part.length;
        }
      }
      if (newline === -1) return;
      data = data.subarray(newline + 1);
      if (this.skipping) {
        this.skipping = false;
        this.refuse(
          null,
          -32600,
          `Invalid Request: the message is larger than ${this.maxLineBytes} bytes and was skipped; send smaller requests`,
        );
        continue;
      }
      const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
      this.chunks = [];
      this.size = 0;
      if (line.trim()) this.handleLine(line);
    }
  };

  private handleLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.refuse(null, -32700, 'Parse error: the line is not JSON (one JSON-RPC message per line)');
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const id = (value as { id?: unknown } | null)?.id;
      this.refuse(
        typeof id === 'string' || typeof id === 'number' ? id : null,
        -32600,
        'Invalid Request: not a JSON-RPC 2.0 message (jsonrpc "2.0", method, id)',
      );
      return;
    }
    try {
      this.onmessage?.(parsed.data);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  private refuse(id: string | number | null, code: number, message: string): void {
    this.report(message);
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }

  private readonly onInputError = (error: Error) => this.onerror?.(error);
  private readonly onEnd = () => void this.close();

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.input.off('end', this.onEnd);
    this.input.pause();
    this.chunks = [];
    this.onclose?.();
  }
}
