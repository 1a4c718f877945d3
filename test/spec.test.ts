// Unit tests of the executable spec: robustness of the step runner against any input the trace
// format lets through (fast-check), determinism of replay, the namespace-type table, and the
// input errors of the trace reader.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { replay } from '../model/replay';
import { InputError, parseTrace, readTrace, TRACE_FORMAT } from '../model/trace';
import { resolveVariant } from '../model/variants';
import { CLONE } from '../spec/flags';
import { initialState } from '../spec/initial';
import { NS_BY_TYPE, NS_TABLE } from '../spec/ns-types';
import { OPS, parseStep, runStep, type ArgSpec, type Kind } from '../spec/ops';
import { PROC_ENTRY_NAMES } from '../spec/proc';
import { NS_TYPES } from '../spec/state';
import { defaultSemantics } from '../spec/variants';

const REGRESSIONS = path.resolve(__dirname, 'regressions');

// ------------------------------------------------------------------ random steps never throw

const CLONE_FLAG_NAMES = Object.keys(CLONE).map((k) => `CLONE_${k}`);
const names = ['P', 'A', 'B', 'C', 'T', 'self'];
const garbage = fc.oneof(
  fc.constant(null), fc.constant(undefined), fc.boolean(), fc.integer(), fc.double(), fc.string(),
  fc.constantFrom('', '-1', 'fd:', ':', 'x:y:z', '../x', 'CLONE_BOGUS', 'NS_GET_BOGUS'),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);
/** Values that are often well-typed for some argument, so that many steps get past parsing. */
const plausible = fc.oneof(
  fc.constantFrom(...names),
  fc.constantFrom('n', 'u', 'p', 'f', 'pf', 'x'),
  fc.constantFrom(...PROC_ENTRY_NAMES),
  fc.constantFrom(-1, 0, 1, 9999, 0x7fffffff, -0x80000000, 4242),
  fc.subarray([...CLONE_FLAG_NAMES], { maxLength: 4 }),
  fc.constantFrom(...CLONE_FLAG_NAMES),
  fc.constantFrom('fd:n', 'fd:u', 'P:net', 'A:pid', 'self:user', 'B:time_for_children'),
  fc.constantFrom('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'),
  fc.constantFrom('0 0 1', '0 65534 1', '0 0 0', '1 1 1\n0 0 1', 'deny', 'allow', 'garbage', 't', 'd'),
  fc.constantFrom('NS_GET_USERNS', 'NS_GET_PARENT', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID', 'NS_GET_ID', 'NS_GET_MNTNS_ID'),
  fc.boolean(),
);
const value = fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: garbage });
/** A value of the right kind for an argument (often), or anything (sometimes). */
const byKind: Readonly<Record<Kind, fc.Arbitrary<unknown>>> = {
  name: fc.constantFrom('A', 'B', 'C', 'T'),
  pid: fc.constantFrom(...names),
  var: fc.constantFrom('n', 'u', 'p', 'pf', 'x'),
  fd: fc.oneof(fc.constantFrom('n', 'u', 'p', 'pf', 'x'), fc.constantFrom(-1, 0, 9999)),
  flags: fc.oneof({ weight: 4, arbitrary: fc.subarray([...CLONE_FLAG_NAMES], { maxLength: 3 }) }, { weight: 1, arbitrary: fc.integer() }),
  nstype: fc.oneof(fc.constantFrom(0, ...CLONE_FLAG_NAMES), fc.subarray([...CLONE_FLAG_NAMES], { maxLength: 3 }), fc.integer()),
  entry: fc.constantFrom(...PROC_ENTRY_NAMES),
  side: fc.oneof(fc.constantFrom('fd:n', 'fd:u', 'fd:pf'), fc.tuple(fc.constantFrom(...names), fc.constantFrom(...PROC_ENTRY_NAMES)).map(([t, e]) => `${t}:${e}`)),
  text: fc.constantFrom('0 0 1', '0 65534 1', '0 0 0', '1 1 1\n0 0 1', 'deny', 'allow', 't', 'd', 'NS_GET_USERNS', 'NS_GET_PARENT', 'NS_GET_NSTYPE', 'NS_GET_OWNER_UID', 'NS_GET_ID', 'NS_GET_MNTNS_ID', 'NS_GET_BOGUS', 'h'.repeat(65)),
  int: fc.oneof(fc.constantFrom(0, 1, 4242), fc.integer()),
  bool: fc.boolean(),
  propagation: fc.constantFrom('shared', 'private', 'slave', 'unbindable', 'rshared'),
  fstype: fc.constantFrom('proc', 'sysfs', 'mqueue', 'tmpfs'),
  ints: fc.oneof(fc.constantFrom([], [0], [1000, 1001], [65534]), fc.array(fc.integer(), { maxLength: 3 })),
  caps: fc.oneof(fc.constantFrom([], ['CAP_SYS_ADMIN'], ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN'], ['CAP_BOGUS']), fc.subarray(['CAP_SETUID', 'CAP_SETGID', 'CAP_SYS_PTRACE'])),
  drop: fc.constantFrom('nobody', 'seteuid_nobody', 'capset_zero', 'capset_admin'),
};
const opName = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...OPS.map((o) => o.name)) }, { weight: 1, arbitrary: garbage });
const rawStep = opName.chain((op) => {
  const def = OPS.find((o) => o.name === op);
  const specs = def ? Object.entries(def.args) : [];
  const one = ([key, spec]: [string, ArgSpec]) => fc.tuple(
    fc.constant(key),
    fc.oneof({ weight: 10, arbitrary: byKind[spec.kind] }, { weight: 1, arbitrary: value }),
    fc.integer({ min: 0, max: 19 }).map((r) => r < (spec.optional ? 8 : 19)), // present?
  );
  const args = fc.tuple(...specs.map(one), fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('bogus', 'flags'), value) }))
    .map((parts) => {
      const out: Record<string, unknown> = {};
      for (const p of parts) {
        if (p === null) continue;
        if (p.length === 3) { if (p[2]) out[p[0]] = p[1]; } else out[p[0]] = p[1];
      }
      return out;
    });
  return fc.record({
    task: fc.oneof({ weight: 6, arbitrary: fc.constant('P') }, { weight: 6, arbitrary: fc.constantFrom('A', 'B', 'C', 'T') }, { weight: 1, arbitrary: garbage }),
    op: fc.constant(op),
    args: fc.oneof({ weight: 12, arbitrary: args }, { weight: 1, arbitrary: garbage }),
  });
});

test('random, even malformed, step lists never make the model throw', () => {
  const sem = defaultSemantics();
  let parsedSteps = 0;
  let runs = 0;
  let okSteps = 0;
  const rules = new Set<string>();
  fc.assert(
    fc.property(fc.array(rawStep, { size: 'max', maxLength: 40 }), (raws) => {
      runs++;
      const state = initialState(sem);
      for (const raw of raws) {
        const step = parseStep(raw.task, raw.op, raw.args);
        if (typeof step === 'string') continue; // rejected before anything runs, as the reader does
        parsedSteps++;
        const outcome = runStep(sem, state, step);
        if (outcome.ok) okSteps++;
        else rules.add(outcome.rule);
      }
    }),
    { numRuns: 300, seed: 0x5eed, endOnFailure: true },
  );
  // the generator must exercise the model, not only the parser
  assert.ok(parsedSteps > 3000, `only ${parsedSteps} steps got past parseStep`);
  assert.ok(okSteps > 500, `only ${okSteps} steps succeeded`);
  assert.ok(rules.size > 25, `only ${rules.size} rules fired: ${[...rules].join(' ')}`);
  assert.is(runs, 300);
});

// ------------------------------------------------------------------ determinism

test('replaying a trace twice gives deep-equal results', () => {
  for (const rel of ['kernel/setns-pidfd+all-namespaces.trace.json', 'kernel/bind_ns-mnt+not-copied-on-unshare.trace.json', 'rules/pidns.ownerNotAncestor+reach.trace.json', '../../spec/variants/controls/M16a.trace.json']) {
    const file = path.join(REGRESSIONS, rel);
    const t1 = readTrace(file);
    const t2 = readTrace(file);
    const a = replay(t1, resolveVariant(t1.variant).sem);
    const b = replay(t2, resolveVariant(t2.variant).sem);
    assert.equal(a, b, rel);
    assert.equal(replay(t1, resolveVariant(t1.variant).sem), a, `${rel}: same trace object, second replay`);
  }
});

// ------------------------------------------------------------------ the namespace table

test('NS_TABLE is the kernel install order and covers every type once', () => {
  assert.equal(NS_TABLE.map((t) => t.name), ['user', 'mnt', 'uts', 'ipc', 'pid', 'cgroup', 'net', 'time']);
  assert.equal([...NS_TYPES].sort(), Object.keys(NS_BY_TYPE).sort());
  for (const t of NS_TYPES) {
    assert.is(NS_BY_TYPE[t].name, t);
    assert.ok(NS_TABLE.includes(NS_BY_TYPE[t]), `${t} is not in NS_TABLE`);
  }
  assert.is(new Set(NS_TABLE.map((t) => t.flag)).size, NS_TABLE.length, 'flags are distinct');
  assert.is(new Set(NS_TABLE.map((t) => t.initInum)).size, NS_TABLE.length, 'initial inode numbers are distinct');
  // the default semantics iterate the same table in the same order (all types exist on 6.18)
  assert.equal(defaultSemantics().types.map((t) => t.name), NS_TABLE.map((t) => t.name));
});

// ------------------------------------------------------------------ input errors

function inputError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    assert.instance(e, InputError);
    return (e as Error).message;
  }
  assert.unreachable('no InputError');
  return '';
}

test('trace validation errors are InputErrors that name the step', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nscheck-spec-'));
  try {
    const bad = path.join(dir, 'bad.trace.json');
    writeFileSync(bad, '{"format": "nscheck-trace/1", "steps": [');
    assert.match(inputError(() => readTrace(bad)), /bad\.trace\.json: not valid JSON/);
    assert.match(inputError(() => readTrace(path.join(dir, 'missing.trace.json'))), /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = { task: 'P', op: 'getpid' };
  assert.match(inputError(() => parseTrace({ format: 'nscheck-trace/2', steps: [] }, 'x')), /^x: "format" must be "nscheck-trace\/1"/);
  assert.match(inputError(() => parseTrace({ format: TRACE_FORMAT, steps: [ok, { task: 'P', op: 'frobnicate' }] }, 'x')), /^x: step 1: unknown op "frobnicate"/);
  assert.match(inputError(() => parseTrace({ format: TRACE_FORMAT, steps: [ok, ok, { task: 'P', op: 'setns', args: { fd: true, nstype: 0 } }] }, 'x')), /^x: step 2: setns: argument "fd" must be/);
  assert.match(inputError(() => parseTrace({ format: TRACE_FORMAT, steps: [{ task: 'P', op: 'unshare', args: { flags: ['CLONE_BOGUS'] } }] }, 'x')), /^x: step 0: unshare: argument "flags" must be a list of CLONE_\* names; "CLONE_BOGUS" is not one/);
  assert.match(inputError(() => parseTrace({ format: TRACE_FORMAT, steps: [{ task: 'P', op: 'fork' }] }, 'x')), /^x: step 0: fork: missing argument "child"/);
  assert.match(inputError(() => parseTrace({ format: TRACE_FORMAT, steps: [ok, { task: 'P', op: 'getpid', expect: 'maybe' }] }, 'x')), /^x: step 1: "expect"/);
  // semantically bad but well-typed arguments are not input errors
  const t = parseTrace({ format: TRACE_FORMAT, steps: [{ task: 'P', op: 'setns', args: { fd: 9999, nstype: 0 }, expect: 'EBADF' }] }, 'x');
  assert.ok(replay(t, defaultSemantics()).ok);
});

test('every row copy keeps every field of its table (NSCHECK_CHECK_ROWS: rows of one table have one shape)', () => {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `
    const { randomSearch, randomSemantics } = require('./model/search/random');
    const { loadScope } = require('./model/search/scope');
    const { LINUX_6_18 } = require('./spec/variants/history');
    const scope = loadScope('wide');
    randomSearch({ ...randomSemantics(LINUX_6_18, scope), scope, runs: 300, maxSteps: 40, seed: 5, ignore: LINUX_6_18.knownFindings ?? [] })
      .then((r) => console.log('runs ' + r.runs));
  `], { cwd: require('node:path').join(__dirname, '..'), env: { ...process.env, NSCHECK_CHECK_ROWS: '1' }, encoding: 'utf8' });
  assert.match(out, /runs \d+/);
});

test.run();
