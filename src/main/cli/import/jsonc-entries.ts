/**
 * MCP server entries of JSON / JSONC configs (Claude Desktop, Claude Code,
 * Cursor, VS Code, Windsurf, Gemini CLI), read with jsonc-parser's syntax
 * tree so every literal's offsets are known. Comments, key order, spacing and
 * unknown keys are never touched: the rewrite replaces string/array literals
 * by offset (config-entry.ts applyEdits), it never re-serialises the file.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

import { ConfigParseError, lineColumn, type ConfigSyntax, type NamedString, type ServerEntry, type StringField } from './config-entry.js';

export function parseJsoncTree(text: string, path: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const where = first === undefined ? '' : ` at ${lineColumn(text, first.offset)} (${printParseErrorCode(first.error)})`;
    throw new ConfigParseError(`${path} is not valid JSON${where}; it was left untouched`);
  }
  if (root.type !== 'object') throw new ConfigParseError(`${path}: the top level is not a JSON object; it was left untouched`);
  return root;
}

/** The entries of every server map at `mapPaths` (e.g. [['mcpServers']]); a missing map is no entries. */
export function jsoncEntries(root: Node, mapPaths: readonly (readonly string[])[]): ServerEntry[] {
  const entries: ServerEntry[] = [];
  for (const mapPath of mapPaths) {
    const map = findNodeAtLocation(root, [...mapPath]);
    if (map?.type !== 'object') continue;
    for (const property of map.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key?.type !== 'string' || value?.type !== 'object') continue;
      entries.push(entryOf(String(key.value), [...mapPath, String(key.value)], value));
    }
  }
  return entries;
}

function entryOf(name: string, keyPath: string[], node: Node): ServerEntry {
  const command = stringField(child(node, 'command'));
  const argsNode = child(node, 'args');
  const envNode = child(node, 'env');
  const url = stringField(child(node, 'url') ?? child(node, 'httpUrl') ?? child(node, 'serverUrl'));
  return {
    name,
    keyPath,
    span: { start: node.offset, end: node.offset + node.length },
    transport: command === undefined && url !== undefined ? 'remote' : 'stdio',
    ...(command === undefined ? {} : { command }),
    args: argsNode?.type === 'array' ? (argsNode.children ?? []).flatMap((item) => stringField(item) ?? []) : [],
    ...(argsNode?.type === 'array' ? { argsSpan: { start: argsNode.offset, end: argsNode.offset + argsNode.length } } : {}),
    env: namedStrings(envNode),
    ...(envNode?.type === 'object' ? { envInsert: { offset: envNode.offset + 1, form: 'json' as const } } : {}),
    headers: namedStrings(child(node, 'headers')),
    ...(url === undefined ? {} : { url: url.value }),
  };
}

function child(node: Node, key: string): Node | undefined {
  const property = node.children?.find((p) => p.children?.[0]?.value === key);
  return property?.children?.[1];
}

function stringField(node: Node | undefined): StringField | undefined {
  if (node?.type !== 'string' || typeof node.value !== 'string') return undefined;
  return { value: node.value, span: { start: node.offset, end: node.offset + node.length } };
}

function namedStrings(node: Node | undefined): NamedString[] {
  if (node?.type !== 'object') return [];
  return (node.children ?? []).flatMap((property) => {
    const [key, value] = property.children ?? [];
    const field = stringField(value);
    return key === undefined || field === undefined ? [] : [{ name: String(key.value), field }];
  });
}

export const JSONC_SYNTAX: ConfigSyntax = {
  format: 'jsonc',
  quote: (value) => JSON.stringify(value),
  array: (values) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`,
  addArgs: (_entry, _text, array) => `, "args": ${array}`,
};
