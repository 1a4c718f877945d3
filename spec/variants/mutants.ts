// Historical bugs and rejected designs (kernel-semantics §7, the M-list), each re-introduced as
// a variant, with the invariant the checker must find broken. These are the negative controls:
// an invariant that no mutant breaks is untested.

import type { VariantDef } from './define';

export const MUTANTS: readonly VariantDef[] = [];
