// The registry: every invariant and transition property the harness checks after every step.

import { NoLeakedNamespace, NoUseAfterFree, RefcountsMatchHolders, UcountsMatchLiveNamespaces } from './refcounts';
import {
  FsRootInOwnMntNs, FsSharersShareUserNs, InodeNumbersUnique, MmSharersShareTimeNs, MountNsBindsOrdered, NestingDepthBounded,
  NoProcessInDeadPidNs, NsIdsUnique, OneNsfsInodePerNs, PidNsInescapable, ThreadGroupSharesUserAndPidNs,
} from './structure';
import {
  ActivePidNsNeverChanges, ChildBornInPidForChildren, FailedCallChangesNothing, NoAncestorPidNsHandle, NoCapabilityGain,
  NewNamespacesOwnedByNewUserNs, SetnsAllOrNothing, SetnsHonoursNstype,
} from './transitions';
import type { Invariant, Transition } from './types';

export const INVARIANTS: readonly Invariant[] = [
  NoUseAfterFree, RefcountsMatchHolders, NoLeakedNamespace, UcountsMatchLiveNamespaces,
  PidNsInescapable, MountNsBindsOrdered, ThreadGroupSharesUserAndPidNs, FsSharersShareUserNs, FsRootInOwnMntNs,
  MmSharersShareTimeNs, NestingDepthBounded, OneNsfsInodePerNs, InodeNumbersUnique, NsIdsUnique, NoProcessInDeadPidNs,
];

export const TRANSITIONS: readonly Transition[] = [
  FailedCallChangesNothing, SetnsAllOrNothing, ActivePidNsNeverChanges, ChildBornInPidForChildren, NoCapabilityGain,
  SetnsHonoursNstype, NoAncestorPidNsHandle, NewNamespacesOwnedByNewUserNs,
];


export type { Invariant, Transition, Violation } from './types';
