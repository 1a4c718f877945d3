// nscheck's library API: `import { ... } from 'nscheck'`. Documented in docs/api.md.
//
// Traces: parse, validate, read, write.
export { TRACE_FORMAT, InputError, parseTrace, readTrace, traceToJson, LIMITS } from '../model/trace';
export type { Trace, TraceStep, Verdict } from '../model/trace';

// Variants: define (also `nscheck/variant`), load a file or a built-in, list the built-ins.
export { defineVariant, semanticsOf, VariantError } from '../spec/variants/define';
export type { VariantDef } from '../spec/variants/define';
export { loadVariant, resolveVariant, controlPath } from '../model/variants';
export type { LoadedVariant } from '../model/variants';
export { BUILTIN_VARIANTS, builtinVariant, onBase } from '../spec/variants';
export { EFFECT_NAMES, KERNEL_LIMITS } from '../spec/semantics';
export type { EffectName, Limits } from '../spec/semantics';
export { HOOK_NAMES, HOOK_DOCS } from '../spec/hooks';
export type { Hooks, HookName, HookOverride, HookOverrides } from '../spec/hooks';

// Replay a trace under a variant, every property checked after every step.
export { replay, verdictText } from '../model/replay';
export type { ReplayResult, ReplayedStep, ReplayOptions } from '../model/replay';

// Search: the scope (the action space), random search, bounded-exhaustive search, shrinking.
export { PRESETS, loadScope, makeScope, scopeDocument, ScopeError } from '../model/search/scope';
export type { Scope, ScopeSpec, FlagSetSpec, MapSpec } from '../model/search/scope';
export { randomSearch, randomSemantics, emptyCoverage } from '../model/search/random';
export type { RandomOptions, RandomResult, Counterexample, Coverage } from '../model/search/random';
export { exhaustive, searchSemantics } from '../model/search/exhaustive';
export type { ExhaustiveOptions, ExhaustiveResult, FoundCounterexample } from '../model/search/exhaustive';
export { shrink, replaySteps } from '../model/search/shrink';
export { coverageReport } from '../model/search/coverage';

// Diff: the shortest traces that tell two variants apart, grouped by behaviour change.
export { diffExhaustive } from '../model/diff/product';
export type { DiffOptions, DiffResult } from '../model/diff/product';
export { diffRandom } from '../model/diff/random';
export type { RandomDiffOptions, RandomDiffResult } from '../model/diff/random';
export type { DiffClass, Witness, Side } from '../model/diff/classes';
export { diffHtml, diffMarkdown } from '../reports/diff';

// The kernel: run a trace on the live kernel next to the model (root), or export it as C.
export { conformTrace } from '../model/conform';
export type { ConformResult, ConformOptions, Disagreement } from '../model/conform';
export { exportC } from '../model/export-c';

// Reports: HTML, JUnit, Markdown, JSON, ITF.
export { writeReports } from '../reports';
export { OutputError } from '../reports/write';
export type { ReportRun, ReportOptions } from '../reports';
export { htmlReport } from '../reports/html';
export { junitXml, replayCase } from '../reports/junit';
export { markdownSummary } from '../reports/markdown';
export { replayJson } from '../reports/json';
export { itfDocument } from '../reports/itf';

// The model itself: operations, stepping, properties, rules.
export { OPS, opByName, parseStep, runStep, execStep, describeStep, resultText } from '../spec/ops';
export type { OpDef, ParsedStep } from '../spec/ops';
export { initialState } from '../spec/initial';
export { snapshot } from '../spec/world';
export { RULES, RULE_NAMES } from '../spec/rules';
export { INVARIANTS, TRANSITIONS } from '../properties';
export type { Invariant, Transition, Violation } from '../properties';
export type { State, World } from '../spec/state';
export type { Semantics } from '../spec/semantics';
