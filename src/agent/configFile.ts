import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import type { ErrorObject } from 'ajv';
import { ajv as loadAjv, yaml } from './deps.js';
import type { ConfigIssue } from './configError.js';

/** A path into the config: `['flows', 0, 'files', 1]`. */
export type ConfigPath = readonly (string | number)[];

/** A parsed config file that can say where any of its values is. */
export interface ParsedConfig {
  file: string;
  value: unknown;
  /** An issue at `path` (at its key, with `atKey`, e.g. for an unknown key). */
  issue(path: ConfigPath, message: string, fix: string, atKey?: boolean): ConfigIssue;
}

/** `flows[0].files[1]`, as messages name a place. */
export function pathText(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The file's name as messages show it: relative to the current folder when below it. */
function shownName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Reads and parses a YAML or JSON config (JSON is YAML to the parser, so positions work for both).
 * Returns the issues of a file that cannot be read or parsed instead of a value.
 */
export function parseConfigFile(file: string, cwd: string): ParsedConfig | ConfigIssue[] {
  const name = shownName(file, cwd);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`;
    return [
      {
        where: name,
        message: `the config file ${why}.`,
        fix: 'Pass --config with the path of an agent.yaml.',
      },
    ];
  }
  const { LineCounter, parseDocument } = yaml();
  const lines: LineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${name}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      where: at(e.pos[0]),
      message: `${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}.`,
      fix: 'Correct the YAML there (indent with spaces; quote values that contain ": " or start with a special character).',
    }));
  }
  return {
    file,
    value: doc.toJS() ?? {},
    issue(path, message, fix, atKey = false) {
      return { where: at(offsetOf(doc, path, atKey)), message, fix };
    },
  };
}

interface YamlNode {
  range?: [number, number, number] | null;
  items?: Array<{ key?: unknown; value?: unknown } | unknown>;
}

/** The start of the node at `path` (or of its key); the deepest existing ancestor when it is missing. */
function offsetOf(doc: Document, path: ConfigPath, atKey: boolean): number {
  let node = doc.contents as YamlNode | null;
  let offset = node?.range?.[0] ?? 0;
  for (const step of path) {
    if (!node?.items) break;
    let next: YamlNode | undefined;
    let keyNode: YamlNode | undefined;
    if (typeof step === 'number') next = node.items[step] as YamlNode | undefined;
    else {
      const pair = node.items.find(
        (p) => ((p as { key?: { value?: unknown } }).key?.value ?? (p as { key?: unknown }).key) === step,
      ) as { key?: YamlNode; value?: YamlNode } | undefined;
      keyNode = pair?.key;
      next = pair?.value ?? undefined;
      if (pair && atKey && step === path[path.length - 1]) return keyNode?.range?.[0] ?? offset;
    }
    if (!next) return keyNode?.range?.[0] ?? offset;
    node = next;
    offset = node.range?.[0] ?? offset;
  }
  return offset;
}

const schemaText = (): string =>
  readFileSync(new URL('../../schema/agent.schema.json', import.meta.url), 'utf8');

type Validate = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validate | undefined;

/** Checks the value against schema/agent.schema.json; one issue per problem, at its place, with a fix. */
export function schemaIssues(parsed: ParsedConfig): ConfigIssue[] {
  const Ajv = loadAjv();
  const validate: Validate = (compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(
    JSON.parse(schemaText()),
  ));
  if (validate(parsed.value)) return [];
  return explainSchemaErrors(validate.errors ?? [], parsed);
}

interface SchemaNode {
  description?: string;
  examples?: unknown[];
  properties?: Record<string, unknown>;
  enum?: unknown[];
  $ref?: string;
  /** What an anyOf/oneOf/not error says, where the description would read badly. */
  'x-message'?: string;
}

const pathOf = (pointer: string): (string | number)[] =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** `e.g. flushInterval: 1s` from the schema's first example. */
function example(path: ConfigPath, schema: SchemaNode | undefined): string {
  const key = [...path].reverse().find((p) => typeof p === 'string') ?? 'value';
  const first = schema?.examples?.[0];
  if (first === undefined)
    return schema?.description ? `Give ${schema.description}.` : 'See schema/agent.schema.json.';
  return `Write ${schema?.description ? `${schema.description}, ` : ''}e.g. ${key}: ${typeof first === 'string' ? first : JSON.stringify(first)}`;
}

/** The closest of `choices` to `word` (edit distance at most 3), for "did you mean". */
export function closest(word: string, choices: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const saved = row[j]!;
        row[j] = Math.min(
          row[j]! + 1,
          row[j - 1]! + 1,
          previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
        );
        previous = saved;
      }
    }
    return row[b.length]!;
  };
  const ranked = choices.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d);
  return ranked[0] && ranked[0].d <= Math.min(3, Math.ceil(word.length / 2)) ? ranked[0].c : undefined;
}

const typeName = (v: unknown) =>
  Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;

function explainOne(e: ErrorObject, parsed: ParsedConfig): ConfigIssue {
  const path = pathOf(e.instancePath);
  const place = pathText(path) || 'the config';
  const schema = e.parentSchema as SchemaNode | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schema?.properties ?? {});
      const near = closest(key, allowed);
      return parsed.issue(
        [...path, key],
        `unknown key "${key}" in ${place}.`,
        near ? `Did you mean "${near}"?` : `Keys allowed there: ${allowed.join(', ')}.`,
        true,
      );
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      const sub = (schema?.properties?.[key] ?? {}) as SchemaNode;
      return parsed.issue(path, `${place} lacks "${key}".`, example([key], sub.$ref ? resolveRef(sub) : sub));
    }
    case 'anyOf':
    case 'oneOf':
    case 'not':
      return parsed.issue(
        path,
        schema?.['x-message']
          ? `${place} ${schema['x-message']}.`
          : `${place} must be ${schema?.description ?? 'as the schema says'}.`,
        `Write e.g. ${pathText(path.slice(-1)) || 'value'}: ${String(schema?.examples?.[0] ?? '')}`,
      );
    case 'type':
      return parsed.issue(
        path,
        `${place} must be ${String((e.params as { type: string | string[] }).type).replace(',', ' or ')}, not ${typeName(e.data)}.`,
        example(path, schema),
      );
    case 'enum':
      return parsed.issue(
        path,
        `${place} is ${JSON.stringify(e.data)}: it must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}.`,
        example(path, schema),
      );
    case 'pattern':
      return parsed.issue(
        path,
        `${place} ${JSON.stringify(e.data)} is not ${schema?.description ?? 'valid'}.`,
        example(path, schema),
      );
    default:
      return parsed.issue(
        path,
        `${place} ${e.message ?? 'is invalid'}${schema?.description ? ` (${schema.description})` : ''}.`,
        example(path, schema),
      );
  }
}

/** Definitions the schema refers to, for the fix of a missing key. */
function resolveRef(node: SchemaNode): SchemaNode {
  const name = node.$ref?.split('/').pop();
  const defs = (JSON.parse(schemaText()) as { definitions: Record<string, SchemaNode> }).definitions;
  return (name && defs[name]) || node;
}

/**
 * Ajv's errors as issues: branch errors inside anyOf/oneOf/not are left out for the one error that
 * says what the whole value must be; one issue per place and kind.
 */
function explainSchemaErrors(errors: ErrorObject[], parsed: ParsedConfig): ConfigIssue[] {
  const compound = errors.filter((e) => ['anyOf', 'oneOf', 'not'].includes(e.keyword));
  const inBranch = (e: ErrorObject) =>
    compound.some(
      (c) => c !== e && e.schemaPath.startsWith(c.schemaPath.replace(/\/(anyOf|oneOf|not)$/, '/$1/')),
    );
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const e of errors) {
    if (inBranch(e) || e.keyword === 'if') continue;
    const issue = explainOne(e, parsed);
    const key = `${issue.where} ${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
