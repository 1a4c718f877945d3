// Capabilities over user namespaces, ptrace access and id mapping.
// security/commoncap.c (cap_capable), kernel/ptrace.c (__ptrace_may_access),
// kernel/user_namespace.c (map_id_down / map_id_up).

import { CAPS, type CapName, type Cred, type IdExtent, type Namespace, type NsId, type Task } from './state';
import type { Rows } from './query';

/**
 * cap_capable: does `cred` hold `cap` in user namespace `target`? Walk from `target` towards the
 * root. At the cred's own namespace the effective set decides. A namespace whose parent is the
 * cred's namespace and whose owner is the cred's euid grants everything (the creator rule).
 * Reaching a level at or above the cred's without meeting it denies.
 */
export function nsCapable(tx: Rows, cred: Cred, target: NsId, cap: CapName): boolean {
  const credNs = tx.get('ns', cred.userNs);
  let ns: Namespace = tx.get('ns', target);
  for (;;) {
    if (ns.id === credNs.id) return (cred.capEff & CAPS[cap]) !== 0;
    if (ns.level <= credNs.level) return false;
    if (ns.parent === credNs.id && ns.ownerUid === cred.euid) return true;
    if (ns.parent === null) return false;
    ns = tx.get('ns', ns.parent);
  }
}

/** in_userns / current_in_userns: is `inner` equal to or a descendant of `outer`? */
export function inUserNs(tx: Rows, outer: NsId, inner: NsId): boolean {
  let ns: Namespace | undefined = tx.get('ns', inner);
  const top = tx.get('ns', outer);
  while (ns && ns.level >= top.level) {
    if (ns.id === outer) return true;
    ns = ns.parent === null ? undefined : tx.get('ns', ns.parent);
  }
  return false;
}

/** Is `inner` equal to or a descendant of `outer` in the parent tree (pid or user)? */
export const isSelfOrDescendant = inUserNs;

export type PtraceMode = 'fscreds' | 'realcreds';

/**
 * __ptrace_may_access in its READ modes: same thread group passes; otherwise the caller's
 * (fs or real) uid/gid must equal all of the target's, or the caller needs CAP_SYS_PTRACE in
 * the target's user namespace; then a non-dumpable target with an mm also needs
 * CAP_SYS_PTRACE over the mm's user namespace; last the capability-subset rule of
 * cap_ptrace_access_check. The model keeps fsuid = euid and fsgid = egid.
 */
export function ptraceMayAccess(tx: Rows, caller: Task, target: Task, mode: PtraceMode): boolean {
  if (caller.leader === target.leader) return true;
  const c = caller.cred;
  const t = target.cred;
  const uid = mode === 'fscreds' ? c.euid : c.uid;
  const gid = mode === 'fscreds' ? c.egid : c.gid;
  const idsMatch = uid === t.euid && uid === t.uid && uid === t.suid && gid === t.egid && gid === t.gid && gid === t.sgid;
  if (!idsMatch && !nsCapable(tx, c, t.userNs, 'SYS_PTRACE')) return false;
  if (target.mm !== null) {
    const mm = tx.get('mms', target.mm);
    if (!mm.dumpable && !nsCapable(tx, c, mm.userNs, 'SYS_PTRACE')) return false;
  } else if (!target.userDumpable && !nsCapable(tx, c, initialUserNs(tx, c.userNs), 'SYS_PTRACE')) {
    // a task without an mm (a zombie) is judged by the dumpability it had when it exited
    return false;
  }
  // security_ptrace_access_check → cap_ptrace_access_check (security/commoncap.c): in the same
  // user namespace the caller's capabilities (effective for FSCREDS, permitted for REALCREDS)
  // must include all of the target's permitted ones; otherwise CAP_SYS_PTRACE over the target's
  // user namespace. Observed on Linux 6.18: a uid-0 task with empty (or CAP_SYS_ADMIN-only)
  // capability sets, or a task in a child user namespace, gets EACCES opening /proc/<P>/ns/net
  // of a full-capability root P (test/regressions/rules/proc.ptrace+miss.trace.json).
  const callerCaps = mode === 'fscreds' ? c.capEff : c.capPrm;
  const subset = c.userNs === t.userNs && (t.capPrm & ~callerCaps) === 0;
  return subset || nsCapable(tx, c, t.userNs, 'SYS_PTRACE');
}

/** Map an id of namespace `ns` down to the initial namespace's id; undefined when unmapped. */
export function mapDown(tx: Rows, ns: NsId, id: number, which: 'uid' | 'gid'): number | undefined {
  let cur = tx.get('ns', ns);
  let v = id;
  while (cur.parent !== null) {
    const map = which === 'uid' ? cur.uidMap : cur.gidMap;
    const hit = map ? lookup(map, v, 'inside') : undefined;
    if (hit === undefined) return undefined;
    v = hit;
    cur = tx.get('ns', cur.parent);
  }
  return v;
}

/** Map a global id up into namespace `ns`; undefined when unmapped (the kernel shows 65534). */
export function mapUp(tx: Rows, ns: NsId, id: number, which: 'uid' | 'gid'): number | undefined {
  const chain: Namespace[] = [];
  for (let cur: Namespace = tx.get('ns', ns); cur.parent !== null; cur = tx.get('ns', cur.parent)) chain.push(cur);
  let v = id;
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    const map = which === 'uid' ? n.uidMap : n.gidMap;
    const hit = map ? lookup(map, v, 'outside') : undefined;
    if (hit === undefined) return undefined;
    v = hit;
  }
  return v;
}

function lookup(map: readonly IdExtent[], id: number, from: 'inside' | 'outside'): number | undefined {
  for (const e of map) {
    const first = from === 'inside' ? e.inside : e.outside;
    if (id >= first && id < first + e.count) return id - first + (from === 'inside' ? e.outside : e.inside);
  }
  return undefined;
}

/** The credentials' ids, as the kernel holds them, are global (kuid); this says if `uid` (global) has a mapping in `ns`. */
export function hasMapping(tx: Rows, ns: NsId, globalId: number, which: 'uid' | 'gid'): boolean {
  return mapUp(tx, ns, globalId, which) !== undefined;
}

/** The initial user namespace: the root of the chain above `ns`. */
function initialUserNs(tx: Rows, ns: NsId): NsId {
  let n = tx.get('ns', ns);
  while (n.parent !== null) n = tx.get('ns', n.parent);
  return n.id;
}
