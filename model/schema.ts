// The JSON Schema of nscheck-trace/1 (draft 2020-12), derived from the one op table of
// spec/ops.ts and the limits of model/trace.ts, so it cannot drift from what the reader accepts.
// docs/trace.schema.json is this schema (test/docs.test.ts checks it); `nscheck ops --schema`
// prints it. Editors use it for completion and validation; the reader remains the authority
// (a few rules, such as the task-name rule for `fork`'s child, are tighter in the reader).

import { CLONE } from '../spec/flags';
import { CAPS } from '../spec/state';
import { MAX_START_PID_LEVEL } from '../spec/initial';
import { KERNEL_LIMITS } from '../spec/semantics';
import { KIND_DOC, OPS, type Kind } from '../spec/ops';
import { PROC_ENTRY_NAMES } from '../spec/proc';
import { ERRNOS } from '../spec/rules';
import { DROP_MODES } from '../spec/syscalls/creds';
import { PROPAGATION_TYPES } from '../spec/propagation';
import { LIMITS, TRACE_FORMAT } from './trace';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NAME = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const FLAG_NAMES = Object.keys(CLONE).map((k) => `CLONE_${k}`);

function kindSchema(kind: Kind): Json {
  const doc = { description: KIND_DOC[kind] };
  const str = (extra: Record<string, Json> = {}): Json => ({ type: 'string', maxLength: LIMITS.stringLength, ...extra });
  const names = { type: 'array', maxItems: LIMITS.listLength, items: { enum: FLAG_NAMES } };
  switch (kind) {
    case 'name': return { ...doc, type: 'string', pattern: NAME, not: { const: 'self' } };
    case 'pid':
    case 'var': return { ...doc, type: 'string', pattern: NAME };
    case 'fd': return { ...doc, oneOf: [{ type: 'string', pattern: NAME }, { type: 'integer', minimum: INT_MIN, maximum: INT_MAX }] };
    case 'flags': return { ...doc, oneOf: [names, { type: 'integer', minimum: INT_MIN, maximum: 0xffffffff }] };
    case 'nstype': return { ...doc, oneOf: [{ type: 'integer', minimum: INT_MIN, maximum: INT_MAX }, { enum: FLAG_NAMES }, names] };
    case 'entry': return { ...doc, enum: [...PROC_ENTRY_NAMES] };
    case 'side': return { ...doc, type: 'string', pattern: `^(fd:[A-Za-z][A-Za-z0-9_]{0,63}|path:[A-Za-z0-9_.-]{1,64}|[A-Za-z][A-Za-z0-9_]{0,63}:(${PROC_ENTRY_NAMES.join('|')}))$` };
    case 'text': return { ...doc, ...(str() as Record<string, Json>) };
    case 'int': return { ...doc, type: 'integer', minimum: INT_MIN, maximum: INT_MAX };
    case 'bool': return { ...doc, type: 'boolean' };
    case 'drop': return { ...doc, enum: [...DROP_MODES] };
    case 'propagation': return { ...doc, enum: [...PROPAGATION_TYPES] };
    case 'fstype': return { ...doc, enum: ['proc', 'sysfs', 'mqueue'] };
    case 'ints': return { ...doc, type: 'array', maxItems: 64, items: { type: 'integer', minimum: INT_MIN, maximum: INT_MAX } };
    case 'caps': return { ...doc, type: 'array', maxItems: 64, items: { enum: Object.keys(CAPS).map((k) => `CAP_${k}`) } };
  }
}

/** The schema as a JSON value. */
export function traceSchema(): Json {
  const defs: Record<string, Json> = {};
  for (const k of Object.keys(KIND_DOC) as Kind[]) defs[`kind_${k}`] = kindSchema(k);
  defs.result = {
    description: 'a step\'s result: ok, an errno name, key=value, same/different, a readlink text, or ModelError',
    anyOf: [{ enum: [...ERRNOS, 'ok', 'same', 'different', 'ModelError'] }, { type: 'string', pattern: '^([a-z_]+=.*|[a-z]+:\\[\\d+\\])$', maxLength: LIMITS.stringLength }],
  };
  defs.task = { description: 'the acting task: P, or a task a fork step named', type: 'string', pattern: NAME };
  const branches: Json[] = [];
  for (const op of OPS) {
    const props: Record<string, Json> = {};
    const required: string[] = [];
    for (const [name, a] of Object.entries(op.args)) {
      props[name] = { $ref: `#/$defs/kind_${a.kind}` };
      if (!a.optional) required.push(name);
    }
    const args: Record<string, Json> = { type: 'object', additionalProperties: false, properties: props };
    if (required.length) args.required = required;
    if (op.oneOf) args.anyOf = op.oneOf.map((g) => ({ required: [...g] }));
    defs[`args_${op.name}`] = args;
    const then: Record<string, Json> = { properties: { args: { $ref: `#/$defs/args_${op.name}` } } };
    if (required.length || op.oneOf) then.required = ['args'];
    branches.push({ if: { properties: { op: { const: op.name } }, required: ['op'] }, then });
  }
  defs.step = {
    type: 'object', required: ['task', 'op'], additionalProperties: false,
    properties: {
      task: { $ref: '#/$defs/task' },
      op: { enum: OPS.map((o) => o.name), description: 'the operation (nscheck ops lists them)' },
      args: { type: 'object' },
      expect: { $ref: '#/$defs/result' },
    },
    allOf: branches,
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:nscheck:trace:1',
    title: TRACE_FORMAT,
    description: 'An explicit, replayable sequence of namespace operations by named tasks (docs/trace-format.md).',
    type: 'object',
    required: ['format', 'steps'],
    additionalProperties: false,
    properties: {
      format: { const: TRACE_FORMAT },
      title: { type: 'string', maxLength: LIMITS.stringLength },
      variant: { type: 'string', maxLength: LIMITS.stringLength, description: 'a built-in variant (nscheck variants); default linux-6.18' },
      expect: { oneOf: [{ const: 'holds' }, { type: 'object', required: ['violates'], additionalProperties: false, properties: { violates: { type: 'string', maxLength: 200 } } }] },
      source: { type: 'string', maxLength: LIMITS.stringLength },
      limits: {
        type: 'object', additionalProperties: false, description: 'the kernel\'s limits as the search that found the trace scaled them (a scope\'s small-scope constants)',
        properties: Object.fromEntries(Object.keys(KERNEL_LIMITS).map((k) => [k, { type: 'integer', minimum: 0, maximum: 0x7fffffff }])),
      },
      start: {
        type: 'object', additionalProperties: false, description: 'where P starts (default: the initial namespaces)',
        properties: { pidLevel: { type: 'integer', minimum: 0, maximum: MAX_START_PID_LEVEL, description: 'P\'s pid namespace is this many levels below the initial one' } },
      },
      steps: { type: 'array', maxItems: LIMITS.steps, items: { $ref: '#/$defs/step' } },
    },
    $defs: defs,
  };
}

export function traceSchemaText(): string {
  return JSON.stringify(traceSchema(), null, 2) + '\n';
}
