// nscheck scope [--scope S]: the effective scope, and how many actions it allows per state.

import { enumerateActions } from '../../model/search/actions';
import { loadScope, presetNames, scopeDocument, type Scope } from '../../model/search/scope';
import { flagText } from '../../spec/flags';
import { initialState } from '../../spec/initial';
import { execStep } from '../../spec/ops';
import { defaultSemantics } from '../../spec/variants';
import { releaseDying } from '../../spec/world';
import type { CommandSpec, Parsed } from '../args';
import type { Out } from '../term';

const spec: CommandSpec = {
  name: 'scope',
  summary: `Prints a scope (docs/scope.md): the operations, tasks, fd variables, targets, flag sets and constants an
exhaustive search (and random search) draws from, and the number of actions it allows per state: in the
initial state, and on average and at most over the states one step away. Presets: ${presetNames().join(', ')}.
"nscheck scope --scope small --json > my-scope.json" starts a scope file of your own.`,
  options: {
    scope: { type: 'string', arg: 'NAME|FILE', default: 'default', help: 'a preset or a scope file' },
    json: { type: 'bool', help: 'the scope as a JSON document (a scope file)' },
    help: { type: 'bool', short: 'h', help: 'this text' },
  },
};

/** Actions in the initial state, and over the states one step away (average, maximum). */
export function actionCounts(scope: Scope): { initial: number; oneStep: { states: number; mean: number; max: number } } {
  const sem = defaultSemantics();
  const first = initialState(sem);
  const actions = enumerateActions(first, scope);
  let total = 0, max = 0, states = 0;
  for (let i = 0; i < actions.length; i++) {
    const w = initialState(sem);
    const r = execStep(sem, w, actions[i]!);
    if (!r.outcome.ok) continue;
    releaseDying(w);
    const n = enumerateActions(w, scope).length;
    total += n;
    max = Math.max(max, n);
    states++;
  }
  return { initial: actions.length, oneStep: { states, mean: states ? total / states : 0, max } };
}

async function run({ values }: Parsed, io: Out): Promise<number> {
  const scope = loadScope(values.scope as string);
  const counts = actionCounts(scope);
  if (values.json) {
    io.out(JSON.stringify(scopeDocument(scope), null, 2) + '\n');
    return 0;
  }
  const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');
  const masks = (ms: readonly number[]) => `${ms.length}: ${ms.map(flagText).join('; ')}`;
  const lines = [
    `scope ${scope.name}: ${scope.doc}`,
    `  tasks:         at most ${scope.tasks} alive (P included)`,
    `  fd variables:  ${list(scope.fdVarNames)}`,
    `  targets:       ${list(scope.targets)}`,
    `  ops:           ${list(scope.ops)}`,
    `  fork flags:    ${masks(scope.fork)}${scope.forkPidfd ? ' (each also with CLONE_PIDFD)' : ''}`,
    `  clone_probe:   ${masks(scope.cloneProbe)}`,
    `  unshare flags: ${masks(scope.unshare)}`,
    `  pidfd setns:   ${masks(scope.pidfdSetns)}`,
    `  /proc entries: ${list(scope.entries)}${scope.opath ? ' (also O_PATH)' : ''}`,
    `  ioctls:        ${list(scope.ioctls)}`,
    `  id maps:       ${scope.maps.map((m) => JSON.stringify(m)).join(', ') || '(none)'}`,
    `  drop_caps:     ${list(scope.dropModes)}`,
    `  hostnames:     ${list(scope.hostnames.map((h) => (h.length > 12 ? `${h.slice(0, 3)}… (${h.length} bytes)` : h)))}`,
    `  shm keys:      ${scope.shmKeys.join(', ') || '(none)'}`,
    `  invalid:       ${scope.invalid ? 'an exited task acts, fd -1 is used' : 'no'}`,
    `  constants:     ${Object.keys(scope.constants ?? {}).length ? Object.entries(scope.constants!).map(([k, v]) => `${k}=${v}`).join(', ') : 'the kernel\'s limits'}`,
    `actions per state: ${counts.initial} in the initial state; over the ${counts.oneStep.states} states one step away, ${counts.oneStep.mean.toFixed(0)} on average, ${counts.oneStep.max} at most`,
  ];
  io.out(lines.join('\n') + '\n');
  return 0;
}

export const command = { spec, run };
