// execve(2) of an ordinary binary (no setuid bit, no file capabilities), as far as namespaces and
// what they guard see it. fs/exec.c begin_new_exec: de_thread, unshare_files, exec_mmap,
// exec_task_namespaces (kernel/nsproxy.c, since 6.2), unshare_sighand, do_close_on_exec,
// commit_creds; security/commoncap.c cap_bprm_creds_from_file.

import { mapDown, nsCapable } from '../caps';
import { exitTask, reap } from '../lifecycle';
import { newProxy, putFdTable, putMm, putProxy, EMPTY_FDS } from '../refs';
import { ALL_CAPS, type FdTableId, type MmId, type TaskId } from '../state';
import type { Call, Outcome } from '../tx';

/**
 * exec: the caller becomes the whole process. In order:
 * - de_thread: every other thread of the group is killed; a non-leader caller takes over the
 *   leader's pid, parent and children (the old leader is released, and its trace name now names
 *   the caller);
 * - unshare_files and close-on-exec: the fd table is the caller's own, and empty (every fd a
 *   trace opens is close-on-exec, as the executor opens them);
 * - exec_mmap: a new mm, shared with nobody; dumpable unless the ids are mixed or the exec gave
 *   back permitted capabilities the task had dropped (commit_creds);
 * - exec_task_namespaces: a pending time namespace (time ≠ time_for_children) is entered, with a
 *   new nsproxy; every other slot stays;
 * - unshare_sighand: a sighand shared with another process is copied;
 * - capabilities: a task whose real or effective uid is root of its user namespace gets the full
 *   permitted set, effective only when the euid is root; any other task none (no file or ambient
 *   capabilities in the model); an exec sharing its fs_struct with another process gains
 *   nothing it did not have (check_unsafe_exec, cap_bprm_creds_from_file).
 */
export function exec(c: Call): Outcome {
  const tx = c.tx;
  const start = c.actor;
  // check_unsafe_exec: an fs_struct shared with a task outside the thread group makes the exec
  // "unsafe" (LSM_UNSAFE_SHARE), and then it may gain no capability it did not have
  const fsShared = start.fs !== null && tx.all('tasks').some((t) => t.fs === start.fs && t.leader !== start.leader && t.state === 'running');
  const oldPrm = start.cred.capPrm;
  // de_thread: zap_other_threads, then wait for them
  for (const t of tx.all('tasks')) {
    if (t.leader === start.leader && t.id !== start.id && t.state === 'running') exitTask(tx, t.id, 137);
  }
  let me = tx.get('tasks', start.id);
  if (me.leader !== me.id) {
    // the caller takes the leader's place: its pid (exchange_tids), parent, children, init role
    const leader = tx.get('tasks', me.leader);
    tx.update('tasks', me.id, { pids: leader.pids, parent: leader.parent, leader: me.id });
    for (const t of tx.all('tasks')) if (t.state !== 'reaped' && t.parent === leader.id && t.id !== me.id) tx.update('tasks', t.id, { parent: me.id });
    for (const n of tx.all('ns')) if (!n.freed && n.reaper === leader.id) tx.update('ns', n.id, { reaper: me.id });
    // exchange_tids swaps the two struct pids: a pidfd of the leader now names the caller, and a
    // pidfd of the caller's own thread pid names the old leader, which is released below (ESRCH)
    for (const f of tx.all('files')) {
      if (f.freed) continue;
      if (f.pidTask === leader.id) tx.update('files', f.id, { pidTask: me.id });
      else if (f.pidTask === me.id) tx.update('files', f.id, { pidTask: leader.id });
    }
    if (tx.name(leader.name) === leader.id) tx.setName(leader.name, me.id);
    // release_task of the old leader: nobody is told
    if (leader.state === 'zombie') reap(tx, leader.id);
    me = tx.get('tasks', me.id);
  }

  // unshare_files + do_close_on_exec: a table of its own, with nothing open
  if (me.files !== null) putFdTable(tx, me.files);
  const files = tx.insert('fdtables', (id) => ({ id: id as FdTableId, users: 1, fds: EMPTY_FDS, freed: false })).id;

  // exec_mmap: the old mm is dropped; the new one belongs to the caller's user namespace
  if (me.mm !== null) putMm(tx, me.mm);
  const cred = me.cred;
  const mm = tx.insert('mms', (id) => ({ id: id as MmId, users: 1, userNs: cred.userNs, dumpable: true, freed: false })).id;

  // exec_task_namespaces: enter time_for_children if it differs from the active time namespace
  let proxy = me.proxy;
  if (proxy !== null) {
    const slots = tx.get('proxies', proxy).slots;
    if (slots.time !== slots.timeForChildren) {
      const next = newProxy(tx, { ...slots, time: slots.timeForChildren });
      putProxy(tx, proxy);
      proxy = next;
    }
  }

  // unshare_sighand: a sighand still shared (by a CLONE_SIGHAND sibling process) is copied
  const shared = tx.all('tasks').some((t) => t.id !== me.id && t.state !== 'reaped' && t.sighand === me.sighand);
  const sighand = shared ? tx.newSighand() : me.sighand;

  // cap_bprm_creds_from_file → handle_privileged_root: a real or effective uid that is root of
  // the user namespace gets the full permitted set (the bounding set), effective only when the
  // euid is root; any other task keeps no capabilities (no file or ambient capabilities)
  const rootUid = mapDown(tx, cred.userNs, 0, 'uid');
  const effRoot = rootUid !== undefined && cred.euid === rootUid;
  const realRoot = rootUid !== undefined && cred.uid === rootUid;
  let capPrm = effRoot || realRoot ? ALL_CAPS : 0;
  // an unsafe exec (the fs_struct shared: LSM_UNSAFE_SHARE) that would gain capabilities is
  // downgraded: without CAP_SETUID in its user namespace the task's euid and egid fall back to its
  // uid and gid, and it keeps no capability it did not have. (6.18 asks whether the ids change,
  // id_changed = euid ≠ old euid or egid not in its groups, which an ordinary binary never does;
  // before 6.15 it asked is_setid, euid ≠ uid, which the model does not follow.)
  let { euid, egid } = cred;
  if (fsShared && (capPrm & ~oldPrm) !== 0) {
    if (!nsCapable(tx, cred, cred.userNs, 'SETUID')) {
      euid = cred.uid;
      egid = cred.gid;
    }
    capPrm &= oldPrm;
  }
  const capEff = effRoot ? capPrm : 0;
  // dumpability: begin_new_exec sets SUID_DUMP_USER unless the ids are mixed, then commit_creds of
  // the new credentials makes the process non-dumpable (suid_dumpable is 0) when the permitted set
  // grew: a root task that dropped capabilities and execs gets them back, and is not dumpable
  const dumpable = cred.uid === euid && cred.gid === egid && (capPrm & ~oldPrm) === 0;
  if (!dumpable) tx.update('mms', mm, { dumpable });
  // the saved (and fs) ids become the effective ones: new->suid = new->fsuid = new->euid
  tx.update('tasks', me.id as TaskId, { files, mm, proxy, sighand, cred: { ...cred, euid, egid, suid: euid, sgid: egid, capEff, capPrm } });
  return { ok: true, state: tx.commit() };
}
