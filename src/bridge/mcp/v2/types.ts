/**
 * The public types of `KeyholdMcp` for `@modelcontextprotocol/server` 2.x: a
 * tool's config, its parsed arguments, and a gated handler (like the SDK's
 * `ToolCallback`, with the values and `invalidate` added to the context).
 */
import type { CallToolResult, InputRequiredResult, ServerContext, StandardSchemaWithJSON, ToolAnnotations } from '@modelcontextprotocol/server';

import type { SecretValues } from '../gate.js';

/** A tool's input schema: a zod object (or any Standard Schema with JSON Schema), or none. */
export type InputSchema = StandardSchemaWithJSON | undefined;

/** `registerTool`'s config. */
export interface ToolConfig<InputArgs extends InputSchema> {
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema?: InputArgs;
  readonly outputSchema?: StandardSchemaWithJSON;
  readonly annotations?: ToolAnnotations;
  readonly _meta?: Record<string, unknown>;
}

/** The parsed arguments of a tool with this input schema (undefined without one). */
export type ToolArgs<Args extends InputSchema> = Args extends StandardSchemaWithJSON ? StandardSchemaWithJSON.InferOutput<Args> : undefined;

/** What a gated handler gets besides its arguments: the SDK's context, plus the values and `invalidate`. */
export type SecretContext<N extends string> = ServerContext & {
  /** The values, one per declared name ('' for an optional field left empty). Never log them or put them in the result. */
  readonly secrets: SecretValues<N>;
  /** Tells Keyhold the service rejected these values: the next call asks the user for new ones, saying why. */
  invalidate(names: N | readonly N[], reason?: string): Promise<void>;
};

/** A gated tool handler. */
export type SecretToolHandler<N extends string, Args extends InputSchema = undefined> = [Args] extends [StandardSchemaWithJSON]
  ? (args: ToolArgs<Args>, ctx: SecretContext<N>) => CallToolResult | Promise<CallToolResult>
  : (ctx: SecretContext<N>) => CallToolResult | Promise<CallToolResult>;

/** What a gated callback returns to the SDK. */
export type GatedResult = CallToolResult | InputRequiredResult;

export type AnyHandler = (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;
