// Hostile and malformed trace documents, for the fuzz test (test/fuzz.test.ts) and the longer
// fuzz run (npm run fuzz). Each case is the text of a trace file plus the options of a replay,
// drawn from the classes of input that once crashed or fooled a reader: names that are members of
// Object.prototype, nesting without end, integers beyond their C type, control and bidi
// characters, huge strings and lists, variant fields naming files, invalid JSON and UTF-8, and
// well-formed traces with random arguments (which must run, 0 or 1, never crash).

import fc from 'fast-check';
import { CLONE } from '../../spec/flags';
import { OPS, type Kind } from '../../spec/ops';
import { PROC_ENTRY_NAMES } from '../../spec/proc';

export interface FuzzCase {
  /** the bytes of the trace file */
  readonly text: string | Uint8Array;
  /** extra options for `nscheck replay` (report outputs are added by the runner) */
  readonly report: boolean;
  readonly label: string;
}

const PROTO = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', '__defineGetter__', 'toLocaleString', 'prototype'];
const NASTY_TEXT = ['x onerror=1', 'href="javascript:alert(1)"', '</script><script>alert(1)</script>', '*/ int x; /*', '\u202eevil', '\u0000\u001b[31m', '\ud800', 'a\nb\r\nc', '`` | ** _', '&amp;&lt;', '{{}}', '%s%n', '../../etc/passwd'];
const FLAG_NAMES = Object.keys(CLONE).map((k) => `CLONE_${k}`);

const weird = fc.oneof(
  fc.constantFrom(...PROTO), fc.constantFrom(...NASTY_TEXT), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 1e21, -0, 0.5, Number.MAX_SAFE_INTEGER, 4294967295, 4294967296),
  fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}),
  fc.array(fc.oneof(fc.constantFrom(...FLAG_NAMES), fc.constantFrom(...PROTO)), { maxLength: 4 }),
);
const plausible = fc.oneof(
  fc.constantFrom('P', 'A', 'B', 'self'), fc.constantFrom('f0', 'f1', 'x'), fc.constantFrom(...PROC_ENTRY_NAMES),
  fc.subarray(FLAG_NAMES, { maxLength: 5 }), fc.constantFrom(0, -1, 3, 9999), fc.constantFrom('0 0 1', 'deny', 'a', 'b', 'NS_GET_PARENT'), fc.boolean(),
);
const value = fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: weird });

const step = fc.record({
  task: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('P', 'A', 'B') }, { weight: 1, arbitrary: weird }),
  op: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OPS.map((o) => o.name)) }, { weight: 2, arbitrary: fc.constantFrom(...PROTO) }, { weight: 1, arbitrary: weird }),
  args: fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('child', 'flags', 'fd', 'pid', 'type', 'target', 'nstype', 'name', 'req', 'out', 'mode', 'uid', 'key', 'a', 'b'), fc.constantFrom(...PROTO)), value, { maxKeys: 4 }) },
    { weight: 1, arbitrary: weird },
  ),
  expect: fc.option(fc.oneof(fc.constantFrom('ok', 'EINVAL', 'pid=2', 'net:[1]', 'ModelError', 'maybe'), weird), { nil: undefined }),
}, { requiredKeys: ['task', 'op'] });

const docObject = fc.record({
  format: fc.oneof({ weight: 8, arbitrary: fc.constant('nscheck-trace/1') }, { weight: 1, arbitrary: weird }),
  title: fc.option(fc.oneof(fc.constantFrom(...NASTY_TEXT), fc.string()), { nil: undefined }),
  variant: fc.option(fc.oneof(fc.constantFrom('linux-6.18', 'M10a', 'linux-3.0', './evil.js', '/tmp/evil.ts', 'evil.mjs', 'constructor', '__proto__'), weird), { nil: undefined }),
  expect: fc.option(fc.oneof(fc.constant('holds'), fc.record({ violates: fc.oneof(fc.constantFrom('MountNsBindsOrdered', 'constructor'), weird) }), weird), { nil: undefined }),
  steps: fc.oneof({ weight: 8, arbitrary: fc.array(step, { maxLength: 12 }) }, { weight: 1, arbitrary: weird }),
}, { requiredKeys: ['format', 'steps'] });

/** Well-formed steps: every argument of the right kind (mostly), texts often hostile. Typed by Kind, so a new kind must be added here. */
const byKind: Record<Kind, fc.Arbitrary<unknown>> = {
  name: fc.constantFrom('A', 'B', 'C', 'T1'),
  pid: fc.constantFrom('P', 'A', 'B', 'self'),
  var: fc.constantFrom('f0', 'f1', 'p', 'constructor', 'toString', '__proto__'.replace(/_/g, 'x')),
  fd: fc.oneof(fc.constantFrom('f0', 'f1', 'p', 'constructor', 'isPrototypeOf'), fc.constantFrom(-1, 0, 9999)),
  flags: fc.oneof({ weight: 4, arbitrary: fc.subarray(FLAG_NAMES, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }) }),
  nstype: fc.oneof(fc.constantFrom(0, ...FLAG_NAMES), fc.subarray(FLAG_NAMES, { maxLength: 4 })),
  entry: fc.constantFrom(...PROC_ENTRY_NAMES),
  side: fc.constantFrom('fd:f0', 'fd:p', 'P:net', 'A:pid', 'self:user', 'fd:constructor'),
  text: fc.oneof(fc.constantFrom('a', 'b', 'x', '0 0 1', 'deny', 'NS_GET_PARENT', 'NS_GET_USERNS', ...PROTO), fc.constantFrom(...NASTY_TEXT)),
  int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  bool: fc.boolean(),
  drop: fc.constantFrom('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'),
  propagation: fc.constantFrom('shared', 'private', 'slave', 'unbindable', 'constructor'),
  fstype: fc.constantFrom('proc', 'sysfs', 'mqueue', 'ext4', '__proto__'),
  ints: fc.oneof(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }), fc.array(fc.constantFrom(0, 1000, 65534, -1, 2 ** 32), { maxLength: 70 })),
  caps: fc.subarray(['CAP_SYS_ADMIN', 'CAP_SETUID', 'CAP_SETGID', 'CAP_NET_ADMIN', 'CAP_BOGUS', 'constructor']),
};
const wellFormedStep = fc.constantFrom(...OPS).chain((op) => {
  const args = Object.entries(op.args).map(([name, a]) => fc.tuple(fc.constant(name), byKind[a.kind]!, fc.boolean()).map(([n, v, present]) => (a.optional && !present ? undefined : [n, v] as const)));
  return fc.record({ task: fc.constantFrom('P', 'P', 'A', 'B'), op: fc.constant(op.name), args: fc.tuple(...args).map((kv) => Object.fromEntries(kv.filter((x) => x !== undefined) as [string, unknown][])) });
});
const wellFormed = fc.record({
  format: fc.constant('nscheck-trace/1'),
  title: fc.constantFrom(...NASTY_TEXT),
  variant: fc.constantFrom('linux-6.18', 'linux-3.8', 'M10a', 'M4', 'M9'),
  steps: fc.array(wellFormedStep, { maxLength: 25 }),
});

/** Text that JSON.stringify cannot make: nesting without end, huge strings and lists. */
const extremes = fc.oneof(
  fc.integer({ min: 1000, max: 100000 }).map((n) => ({ label: `flags nested ${n} deep`, text: `{"format":"nscheck-trace/1","steps":[{"task":"P","op":"unshare","args":{"flags":${'['.repeat(n)}${']'.repeat(n)}}}]}` })),
  fc.integer({ min: 1000, max: 50000 }).map((n) => ({ label: `document nested ${n} deep`, text: `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` })),
  fc.integer({ min: 5000, max: 200000 }).map((n) => ({ label: `hostname of ${n} characters`, text: JSON.stringify({ format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'sethostname', args: { name: 'h'.repeat(n) } }] }) })),
  fc.integer({ min: 100, max: 5000 }).map((n) => ({ label: `flag list of ${n}`, text: JSON.stringify({ format: 'nscheck-trace/1', steps: [{ task: 'P', op: 'unshare', args: { flags: Array(n).fill('CLONE_NEWNET') } }] }) })),
  fc.integer({ min: 1000, max: 20000 }).map((n) => ({ label: `${n} steps`, text: JSON.stringify({ format: 'nscheck-trace/1', steps: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? { task: 'P', op: 'fork', args: { child: `T${i}` } } : i % 3 === 1 ? { task: `T${i - 1}`, op: 'exit' } : { task: 'P', op: 'wait', args: { child: `T${i - 2}` } })) }) })),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ label: 'random bytes', text: b as Uint8Array | string })),
  fc.constantFrom('', '{', 'null', '[]', '"x"', '{"format":"nscheck-trace/1"}', '{"format":"nscheck-trace/1","steps":{}}', '\ufeff{"format":"nscheck-trace/1","steps":[]}').map((t) => ({ label: 'degenerate', text: t })),
);

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(docObject, fc.integer({ min: 0, max: 9 })).map(([d, r]) => ({ label: 'document', text: JSON.stringify(d), report: r === 0 })) },
  { weight: 4, arbitrary: fc.tuple(wellFormed, fc.integer({ min: 0, max: 9 })).map(([d, r]) => ({ label: 'well-formed document', text: JSON.stringify(d), report: r === 0 })) },
  { weight: 1, arbitrary: fc.tuple(extremes, fc.integer({ min: 0, max: 9 })).map(([e, r]) => ({ ...e, report: r === 0 })) },
);
