// create_new_namespaces (kernel/nsproxy.c) and create_user_ns, shared by clone and unshare:
// a new nsproxy whose slots are new namespaces for the requested types, in table order (mnt,
// uts, ipc, pid, cgroup, net, time), and the old ones for the rest.

import { isFailure, getNs } from '../refs';
import type { Failure } from '../semantics';
import { SLOTS, type Cred, type Namespace, type NsId, type Slot, type Task } from '../state';
import type { Call } from '../tx';
import type { CreateCall } from '../ns-types/ops';

export interface Created {
  /** slots of the new nsproxy; every slot holds one reference already */
  readonly slots: Record<Slot, NsId>;
}

/**
 * Build the slots of a new nsproxy for `task`, creating the namespaces whose bits are in
 * `flags`, owned by `owner` and charged to `cred`. A failure releases what was made (unless
 * the variant turns that unwinding off, re-creating the 2012 leak: the failure then carries
 * the partial state with the orphaned namespaces).
 */
export function createNamespaces(c: Call, task: Task, flags: number, owner: NsId, cred: Cred, call: CreateCall): Created | Failure {
  if (task.proxy === null) throw new Error('model bug: creating namespaces for a task without nsproxy');
  const old = c.tx.get('proxies', task.proxy).slots;
  const slots = { ...old };
  const made: NsId[] = [];
  for (const t of c.sem.types) {
    if (t.name === 'user' || (flags & t.flag) === 0 || t.createSlot === null) continue;
    const from = c.tx.get('ns', old[t.createSlot]);
    const ns = t.create(c, { old: from, owner, cred, task, call });
    if (isFailure(ns)) {
      if (!c.sem.effects['create.unwind']) return { ...ns, partial: c.tx.commit() };
      return ns;
    }
    slots[t.createSlot] = ns.id;
    made.push(ns.id);
  }
  for (const s of SLOTS) if (!made.includes(slots[s])) getNs(c.tx, slots[s]);
  return { slots };
}

/** create_user_ns for `cred`: the new user namespace (one reference, for the new cred). */
export function createUserNs(c: Call, task: Task, cred: Cred, call: CreateCall): Namespace | Failure {
  const t = c.sem.typeOf.user;
  return t.create(c, { old: c.tx.get('ns', cred.userNs), owner: cred.userNs, cred, task, call });
}
