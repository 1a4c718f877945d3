// The Informal Trace Format (ITF) of Apalache and Quint: a counterexample as the sequence of its
// states, so that their tools (the Quint REPL's trace viewer, ITF readers in Rust, Python, TS)
// can read nscheck traces. Format: https://apalache-mc.org/docs/adr/015adr-trace.html
//
// The mapping (docs/itf.md):
// - one ITF state per model state: the initial state, then the state after each step;
// - variables: `action` (the step that led here, "init" first), `tasks` (task name → record),
//   `namespaces` (64-bit namespace id → record), `nsproxies`, `nsfs_inodes`, `files`,
//   `fd_tables`, `fs_structs`, `mms` (model id → record); only objects that are alive (a freed
//   object, a reaped task, is simply absent);
// - references between objects are the keys of the maps they point into; a namespace is also
//   named by its readlink text (`name: "net:[4026532201]"`);
// - integers are {"#bigint": "N"} (as ADR-015 requires since its 2023-09-14 revision; map keys
//   too), strings, booleans, lists, and maps as {"#map": [[key, value], ...]}; a missing pointer
//   to an object is the integer -1, a missing task (no parent) the empty string.

import type { ReplayResult } from '../model/replay';
import type { Trace } from '../model/trace';
import { SLOTS, type State } from '../spec/state';

type Itf = string | number | boolean | Itf[] | { [k: string]: Itf };

const itfMap = (entries: [Itf, Itf][]): Itf => ({ '#map': entries.map(([k, v]) => [k, v]) });
const ref = (v: number | null | undefined): number => (v === null || v === undefined ? -1 : v);

export const ITF_VARS = ['action', 'tasks', 'namespaces', 'nsproxies', 'nsfs_inodes', 'files', 'fd_tables', 'fs_structs', 'mms'] as const;

/** One model state as an ITF state record. */
export function itfState(s: State, index: number, action: string): Record<string, Itf> {
  const nsKey = (id: number): number => s.ns[id]?.nsId ?? -1;
  const taskName = (id: number | null): string => (id === null ? '' : s.tasks[id]?.name ?? '');
  const tasks: [Itf, Itf][] = [];
  for (const t of s.tasks) {
    if (t.state === 'reaped') continue;
    tasks.push([t.name, {
      state: t.state, parent: taskName(t.parent), leader: taskName(t.leader), pids: [...t.pids], pid_ns: nsKey(t.pidNs),
      nsproxy: ref(t.proxy), user_ns: nsKey(t.cred.userNs), uid: t.cred.uid, euid: t.cred.euid, gid: t.cred.gid, egid: t.cred.egid,
      cap_effective: t.cred.capEff, cap_permitted: t.cred.capPrm, fs: ref(t.fs), files: ref(t.files), mm: ref(t.mm), sighand: t.sighand,
    }]);
  }
  const namespaces: [Itf, Itf][] = [];
  for (const n of s.ns) {
    if (n.freed) continue;
    const rec: Record<string, Itf> = {
      name: `${n.type}:[${n.inum}]`, type: n.type, inum: n.inum, refs: n.refs,
      owner: n.owner === null ? -1 : nsKey(n.owner), parent: n.parent === null ? -1 : nsKey(n.parent), level: n.level,
    };
    if (n.type === 'pid') Object.assign(rec, { init: taskName(n.reaper), adding: n.adding, last_pid: n.lastPid });
    if (n.type === 'user') {
      Object.assign(rec, {
        owner_uid: n.ownerUid, owner_gid: n.ownerGid, setgroups_deny: n.setgroupsDeny,
        uid_map: (n.uidMap ?? []).map((e) => [e.inside, e.outside, e.count]), gid_map: (n.gidMap ?? []).map((e) => [e.inside, e.outside, e.count]),
      });
    }
    if (n.type === 'uts') rec.hostname = n.hostname;
    if (n.type === 'ipc') rec.shm_keys = n.shm.map((x) => x.key);
    if (n.type === 'mnt') rec.binds = n.mounts.map((m) => ({ target: m.target, nsfs_inode: ref(m.inode), locked: m.locked }));
    namespaces.push([n.nsId, rec]);
  }
  const nsproxies: [Itf, Itf][] = [];
  for (const p of s.proxies) {
    if (p.freed) continue;
    const slots: Record<string, Itf> = {};
    for (const slot of SLOTS) slots[slot] = nsKey(p.slots[slot]);
    nsproxies.push([p.id, { refs: p.refs, ...slots }]);
  }
  const inodes: [Itf, Itf][] = s.inodes.filter((i) => !i.freed).map((i) => [i.id, { ns: nsKey(i.ns), users: i.users }]);
  const files: [Itf, Itf][] = s.files.filter((f) => !f.freed).map((f) => [f.id, {
    kind: f.kind, opath: f.opath, nsfs_inode: ref(f.inode), pid_task: taskName(f.pidTask), refs: f.refs,
  }]);
  const fdTables: [Itf, Itf][] = s.fdtables.filter((t) => !t.freed).map((t) => [t.id, {
    users: t.users, fds: itfMap([...t.fds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, v])),
  }]);
  const fss: [Itf, Itf][] = s.fss.filter((f) => !f.freed).map((f) => [f.id, { users: f.users, root_mnt_ns: nsKey(f.rootNs), cwd_mnt_ns: nsKey(f.cwdNs) }]);
  const mms: [Itf, Itf][] = s.mms.filter((m) => !m.freed).map((m) => [m.id, { users: m.users, user_ns: nsKey(m.userNs), dumpable: m.dumpable }]);
  return {
    '#meta': { index },
    action,
    tasks: itfMap(tasks), namespaces: itfMap(namespaces), nsproxies: itfMap(nsproxies), nsfs_inodes: itfMap(inodes),
    files: itfMap(files), fd_tables: itfMap(fdTables), fs_structs: itfMap(fss), mms: itfMap(mms),
  };
}

/** Every integer of a value as {"#bigint": "N"} (ADR-015); `#meta` records are left as they are. */
function bigints(v: Itf): Itf {
  if (typeof v === 'number') return { '#bigint': String(v) };
  if (Array.isArray(v)) return v.map(bigints);
  if (typeof v === 'object') {
    const out: { [k: string]: Itf } = {};
    for (const [k, x] of Object.entries(v)) out[k] = k === '#meta' ? x : bigints(x);
    return out;
  }
  return v;
}

/** The whole trace as an ITF document; needs the replay's every state (replay with keepFrom 0). */
export function itfDocument(trace: Trace, r: ReplayResult, source: string): string {
  const states: Itf[] = [];
  for (let i = 0; i < r.states.length; i++) {
    const s = r.states[i];
    if (!s) throw new Error('itfDocument: the replay did not keep every state');
    const step = i === 0 ? undefined : r.steps[i - 1];
    const { '#meta': meta, ...vars } = itfState(s, i, step ? `${step.call} = ${step.result}` : 'init');
    states.push({ ...(meta !== undefined ? { '#meta': meta } : {}), ...(bigints(vars) as Record<string, Itf>) });
  }
  const doc = {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source,
      description: `${trace.title ?? 'nscheck trace'} (variant ${r.variant}; ${r.broken ? `violates ${r.broken.property} after step ${r.broken.step}` : 'every property holds'}); mapping: docs/itf.md`,
      generator: 'nscheck',
    },
    vars: [...ITF_VARS],
    states,
  };
  return JSON.stringify(doc, null, 1) + '\n';
}
