// Designs that were proposed and not merged, as variants of linux-6.18: what Linux would be had
// the proposal gone in. `nscheck diff DESIGN linux-6.18` shows what it changes for user space.

import type { VariantDef } from './define';
import { LINUX_6_18 } from './history';
import { withBase } from './mutants';

export const DESIGNS: readonly VariantDef[] = [
  withBase({
    name: 'socketat-2011',
    base: 'linux-6.18',
    doc: 'socketat(nsfd, ...) as proposed with setns in 2010-2011: a socket in the net namespace an nsfs fd names, without setns (never merged: "more work for less reward" than setns)',
    disable: ['socketat.enosys'],
    expect: 'holds',
    source: '0663c6f8fa37 (setns) commit message; LWN 407613; kernel-semantics-2 §8',
  }, LINUX_6_18),
];
