/**
 * Use case: check the head version of an API repo (or of one spec) against its base — validation, lint,
 * breaking changes, routing — and decide the verdict. The CLI and the GitHub App worker both call this.
 * @module
 */

import type { Approver } from '../core/accept-breaking.js';
import {
  apiRemovedFinding,
  baseConfigUnreadable,
  breakingCheckFailed,
  describeInvalid,
  describeUnreadable,
  sideUnreadable,
} from '../core/breaking/breaking-findings.js';
import { type ApiChanges, findApiChanges } from '../core/breaking/find-breaking-changes.js';
import {
  parseWaiverFile,
  unusedWaivers,
  type WaiverFile,
  waiverFileNotFound,
} from '../core/breaking/waivers.js';
import { isMissingEntry, missingSpecFinding, rulesetNotFoundFinding } from '../core/config/config-checks.js';
import { loadRepoConfigFile } from '../core/config/config-location.js';
import {
  type GateSettings,
  parseRepoConfig,
  type RepoConfig,
  repoConfigFile,
  resolveGates,
} from '../core/config/repo-config.js';
import { nameFromEntry } from '../core/config/resolve-api.js';
import { UserInputError } from '../core/errors.js';
import { compareFindings, type Finding, newFindings, type SourcePosition } from '../core/findings.js';
import type { ApiConfig } from '../core/kuma/render/types.js';
import { validateXKuma } from '../core/kuma/render/x-kuma.js';
import { filterNewFindings } from '../core/lint/filter-new-findings.js';
import { lintSpec } from '../core/lint/lint-spec.js';
import type { LintRuleset } from '../core/lint/types.js';
import { summarizeApi } from '../core/report/api-summary.js';
import {
  approvalNotice,
  gatesEditedNotice,
  rulesetEditedNotice,
  waiversEditedNotice,
} from '../core/report/notices.js';
import type { ApiSummary, CheckReport } from '../core/report/types.js';
import { checkRouting } from '../core/routing/check-routing.js';
import { buildRoutingView, type ConfiguredSpec, type RoutingView } from '../core/routing/routing-view.js';
import { loadSpec } from '../core/spec/load-spec.js';
import type { LoadedSpec, SourceFile } from '../core/spec/types.js';
import { validateSpec } from '../core/spec/validate-spec.js';
import { decideVerdict, gateBreaking } from '../core/verdict.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { FileSource } from '../ports/file-source.js';
import { type RenderRepoResult, renderRepo, renderSpec } from './render-repo.js';

export type CheckTarget =
  /** Both sides are repos with a `.kuma-api-forge.yaml` at their root. */
  | {
      mode: 'repo';
      /** The breaking-change baseline (a PR's base). */
      base: FileSource | undefined;
      head: FileSource;
      /**
       * The protected branch (the repo's default branch head in the App): gate settings, lint ruleset, approval
       * label and the "lint new" baseline come from here. Default: `base`.
       */
      gates?: FileSource;
    }
  /** One spec on each side, given by its entry file inside its source. */
  | {
      mode: 'spec';
      base: { source: FileSource; entry: string } | undefined;
      head: { source: FileSource; entry: string };
    };

export interface CheckOptions {
  /** The PR carries the approval label: breaking changes pass, visibly. */
  approved?: boolean;
  /** Labels of the PR: the approval label (from the protected branch's config) approves its breaking changes. */
  labels?: readonly string[];
  /** Who added the approval label or pressed the button, when the event that triggered the check says so. */
  approver?: Approver;
  /** CLI `--fail-on`: lowest severity that fails, for every kind. */
  failOn?: 'error' | 'warning';
  /** Overrides the gate's lint scope (`new`: only findings the base does not have). */
  lintScope?: 'new' | 'all';
  /**
   * What the merge's deploy would refuse beyond the render (the tenancy check against a deploy repo), asked only
   * when the head has a config: joined to the report. The render itself is always part of the check.
   */
  deployCheck?: () => Promise<Finding[]>;
}

export interface CheckDeps {
  breakingDiff: BreakingDiff;
}

/** Thrown when the input cannot be checked at all (no config in repo mode, nothing removed): the CLI's exit 2. */
export class UnreadableInputError extends UserInputError {
  override name = 'UnreadableInputError';
}

/** One side of an API: its spec, its config entry, and where that entry sits in the config file (repo mode). */
interface ApiSide extends ConfiguredSpec {
  api: ApiConfig;
}

interface ApiPair {
  summary: ApiSummary;
  base?: ApiSide;
  head?: ApiSide;
  /** The same API on the protected branch: the "lint new" baseline. */
  gates?: ApiSide;
  /** Where the head config lists its APIs (for annotating a removal in the head). */
  headApis?: SourcePosition;
}

export async function runCheck(
  target: CheckTarget,
  options: CheckOptions,
  deps: CheckDeps,
): Promise<CheckReport> {
  const loader = createSpecLoader();
  const setup =
    target.mode === 'repo'
      ? await readRepoSetup(target.base, target.head, target.gates ?? target.base, loader)
      : await readSpecSetup(target, loader);
  const gates = options.lintScope
    ? { ...setup.gates, lint: { ...setup.gates.lint, scope: options.lintScope } }
    : setup.gates;

  const findings = [...setup.findings];
  const across: AcrossApis = { changelog: [], waivers: setup.waivers, usedWaivers: new Set() };
  for (const pair of setup.pairs) {
    findings.push(...(await checkApi(pair, gates, setup.ruleset, options, deps, across)));
  }
  // A waiver that waived nothing is said on its line, unless some API's changes could not be computed at all.
  if (!findings.some((f) => breakingNotComputed.has(f.id))) {
    findings.push(...unusedWaivers(setup.waivers, across.usedWaivers));
  }
  const changelog = across.changelog;
  // What the merge's render (and deploy) would refuse fails the check too, on the same lines.
  if (setup.render) {
    const rendered = await setup.render();
    const merge = [
      ...rendered.findings.filter((f) => f.severity === 'error'),
      ...((setup.configFound ? await options.deployCheck?.() : undefined) ?? []),
    ];
    findings.push(...newFindings(findings, merge));
  }
  findings.sort(compareFindings);
  const { verdict, reason } = decideVerdict(findings, {
    gates,
    ...(options.failOn ? { failOn: options.failOn } : {}),
  });
  const notices = [...setup.notices];
  const approval = approvalNotice(findings, options.labels, gates.approvalLabel, options.approver);
  if (approval) notices.push(approval);
  changelog.sort(compareFindings);
  return { verdict, reason, findings, apis: setup.pairs.map((p) => p.summary), notices, changelog };
}

/** What the check of each API adds to, across all APIs of the repo. */
interface AcrossApis {
  /** Every API's non-breaking changes (oasdiff's changelog, level INFO). */
  changelog: Finding[];
  /** The waiver files from the protected branch. */
  waivers: readonly WaiverFile[];
  /** The waiver lines (`file:line`) that waived a change. */
  usedWaivers: Set<string>;
}

/** The findings that say an API's changes were not computed: its waivers cannot be judged unused. */
const breakingNotComputed = new Set([
  'breaking-check-failed',
  'breaking-input-invalid',
  'breaking-base-unreadable',
  'breaking-head-unreadable',
]);

async function checkApi(
  pair: ApiPair,
  gates: GateSettings,
  ruleset: LintRuleset | undefined,
  options: CheckOptions,
  deps: CheckDeps,
  across: AcrossApis,
): Promise<Finding[]> {
  const { base, head } = pair;
  if (!head) {
    return base
      ? gateBreaking(
          [apiRemovedFinding(pair.summary.name, base, pair.headApis)],
          pair.summary,
          gates,
          options,
        )
      : [];
  }
  const findings = [...head.spec.findings];
  const breakingOn = base !== undefined && gates.breaking !== 'off';
  // Never silent: a base that cannot be compared is said, and gates like a breaking change.
  const baseUnreadable = (problem: string | undefined): Finding[] =>
    base && problem
      ? gateBreaking([sideUnreadable('base', pair.summary.name, base, problem)], pair.summary, gates, options)
      : [];
  const loadProblem = base && breakingOn ? describeUnreadable(base.spec) : undefined;
  if (!head.spec.bundle) {
    findings.push(...baseUnreadable(loadProblem));
    return withHeadUnreadable(findings, pair, head, gates, options);
  }

  // oasdiff runs in its own process: start it first so it overlaps validation and lint.
  // Its failure is a finding (the check cannot vouch for compatibility), never a crash.
  const breaking =
    base && breakingOn && !loadProblem
      ? findApiChanges(base.spec, head.spec, deps.breakingDiff, across.waivers).catch(
          (error: unknown): ApiChanges => ({
            breaking: [breakingCheckFailed(head.spec, error)],
            changelog: [],
            usedWaivers: [],
          }),
        )
      : undefined;
  // Validation and lint below are long synchronous stretches: let the promise chain that leads to the
  // runner's spawn run first (the runner starts its process without waiting for I/O), or oasdiff would start
  // only after them (~4 s late on GitHub's description) and run alone.
  if (breaking) await new Promise((resolve) => setImmediate(resolve));
  const validation = await validateSpec(head.spec);
  findings.push(...validation, ...validateXKuma(head.spec));
  // oasdiff reads a document it cannot understand as an empty API: an invalid base would hide every removal.
  // An unchanged base is exactly the head, whose validation speaks for it.
  const baseProblem =
    loadProblem ??
    (base && breaking && pair.summary.status !== 'unchanged'
      ? describeInvalid(await validateSpec(base.spec))
      : undefined);
  findings.push(...baseUnreadable(baseProblem));

  const lintOptions = ruleset ? { ruleset } : {};
  let lint = await lintSpec(head.spec, lintOptions);
  // "Only new lint findings" is judged against the protected branch, which a PR author cannot fill with findings.
  const lintBaseline = pair.gates?.spec;
  if (gates.lint.scope === 'new' && lintBaseline?.bundle) {
    lint = filterNewFindings(lint, await lintSpec(lintBaseline, lintOptions), {
      base: lintBaseline.entry,
      head: head.spec.entry,
    });
  }
  findings.push(...lint);

  const headView: RoutingView = buildRoutingView(head);
  findings.push(
    ...checkRouting(base ? { base: buildRoutingView(base), head: headView } : { head: headView }),
  );

  const headIsValid = !findings.some((f) => f.kind === 'validation' && f.severity === 'error');
  if (breaking) {
    // Awaited even when the head is invalid, so that no oasdiff process outlives the check.
    const changes = await breaking;
    if (headIsValid && !baseProblem) {
      findings.push(...gateBreaking(changes.breaking, pair.summary, gates, options));
      across.changelog.push(...changes.changelog);
      for (const key of changes.usedWaivers) across.usedWaivers.add(key);
    }
  }
  return breaking && !baseProblem ? withHeadUnreadable(findings, pair, head, gates, options) : findings;
}

/**
 * The breaking check needs a head that loaded: when it did not and nothing else already fails the check, the
 * report says so rather than passing with no word about compatibility.
 */
function withHeadUnreadable(
  findings: Finding[],
  pair: ApiPair,
  head: ApiSide,
  gates: GateSettings,
  options: CheckOptions,
): Finding[] {
  if (!pair.base || gates.breaking === 'off') return findings;
  const problem = describeUnreadable(head.spec);
  // The head's own load and validation errors always fail: they already say why nothing was compared.
  if (!problem || findings.some((f) => f.kind === 'validation' && f.severity === 'error')) return findings;
  return [
    ...findings,
    ...gateBreaking([sideUnreadable('head', pair.summary.name, head, problem)], pair.summary, gates, options),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Reading the inputs

interface Setup {
  pairs: ApiPair[];
  gates: GateSettings;
  ruleset: LintRuleset | undefined;
  /** oasdiff ignore files named by the protected branch's gates (`errIgnore`, `warnIgnore`). */
  waivers: WaiverFile[];
  findings: Finding[];
  notices: string[];
  /** The head's render, as the merge's render and deploy would do it. */
  render?: () => Promise<RenderRepoResult>;
  /** Repo mode with a head config: a deploy would render and check it. */
  configFound?: boolean;
}

type SpecLoader = (source: FileSource, entry: string) => Promise<LoadedSpec>;

/** Each spec loaded once per source, shared by the check and the render. */
function createSpecLoader(): SpecLoader {
  const loaded = new Map<FileSource, Map<string, Promise<LoadedSpec>>>();
  return (source, entry) => {
    const specs = loaded.get(source) ?? new Map<string, Promise<LoadedSpec>>();
    loaded.set(source, specs);
    const spec = specs.get(entry) ?? loadSpec(source, entry);
    specs.set(entry, spec);
    return spec;
  };
}

async function readSpecSetup(
  target: Extract<CheckTarget, { mode: 'spec' }>,
  load: SpecLoader,
): Promise<Setup> {
  const head = await load(target.head.source, target.head.entry);
  const base = target.base ? await load(target.base.source, target.base.entry) : undefined;
  const name = nameFromEntry(target.head.entry);
  const api: ApiConfig = { name, spec: target.head.entry };
  const pair = {
    summary: summarizeApi(name, base, head),
    head: { spec: head, api },
    ...(base ? { base: { spec: base, api }, gates: { spec: base, api } } : {}),
  };
  return {
    pairs: [pair],
    gates: resolveGates(undefined),
    ruleset: undefined,
    waivers: [],
    findings: [],
    notices: [],
    render: () => renderSpec(target.head.source, target.head.entry, { loadSpec: load }),
  };
}

/**
 * Repo mode: APIs from the head config (so a PR that adds an API is checked) and the base config (so one that
 * removes an API is reported); gates, ruleset and the "lint new" baseline from the protected branch.
 */
async function readRepoSetup(
  baseSource: FileSource | undefined,
  headSource: FileSource,
  gatesSource: FileSource | undefined,
  load: SpecLoader,
): Promise<Setup> {
  const head = await readConfig(headSource);
  const base = baseSource ? await readConfig(baseSource) : undefined;
  const protectedSide = gatesSource ? await readConfig(gatesSource) : undefined;
  // A head without config removes every API the base had: that is checked, not "nothing to check".
  if (!head.exists && !(base?.exists && (base.config?.apis.length ?? 1) > 0)) {
    throw new UnreadableInputError(`no ${repoConfigFile} in ${headSource.description}`);
  }
  const findings = [...head.findings];
  const notices: string[] = [];

  // The trust rule: a PR never loosens its own gate. Without a protected config, the defaults apply.
  const gates = protectedSide?.config?.gates ?? resolveGates(undefined);
  const gatesEdited = head.config && gatesEditedNotice(head.config.gates, gates, head.file?.path);
  if (gatesEdited) notices.push(gatesEdited);
  let ruleset: LintRuleset | undefined;
  if (gates.lint.ruleset && gatesSource) {
    const loaded = await readRuleset(gatesSource, gates.lint.ruleset, protectedSide?.file?.path);
    ruleset = loaded.ruleset;
    findings.push(...loaded.findings);
    if (
      head.config?.gates.lint.ruleset &&
      (await rulesetChanged(gatesSource, headSource, gates.lint.ruleset))
    ) {
      notices.push(rulesetEditedNotice(gates.lint.ruleset));
    }
  }
  // Waivers, like every gate setting, come from the protected branch: a PR cannot waive its own breaking change.
  const waivers: WaiverFile[] = [];
  for (const [file, level] of waiverFilesOf(gates)) {
    const read = gatesSource
      ? await readWaivers(gatesSource, file, level, protectedSide?.file)
      : { findings: [] };
    if (read.waivers) waivers.push(read.waivers);
    findings.push(...read.findings);
    if (gatesSource && (await fileChanged(gatesSource, headSource, file)))
      notices.push(waiversEditedNotice(file));
  }
  // A base config that exists but cannot be read hides what the base had: said, like an unreadable base spec.
  if (base?.exists && !base.config && gates.breaking !== 'off') {
    findings.push(baseConfigUnreadable(base.findings));
  }

  // A head config that does not parse lists nothing: its own findings fail the check, nothing counts as removed.
  const headReadable = !head.exists || head.config !== undefined;
  const names = new Set(
    [...(head.config?.apis ?? []), ...(headReadable ? (base?.config?.apis ?? []) : [])].map((a) => a.name),
  );
  const headApis =
    head.file && head.config ? { file: head.file.path, ...head.file.locate('/apis') } : undefined;
  const pairs: ApiPair[] = [];
  for (const name of [...names].sort()) {
    const headSide = await readApiSide(headSource, head, name, load);
    const baseSide = base && baseSource ? await readApiSide(baseSource, base, name, load) : undefined;
    const gatesSide =
      protectedSide && gatesSource ? await readApiSide(gatesSource, protectedSide, name, load) : undefined;
    pairs.push({
      summary: summarizeApi(name, baseSide?.spec, headSide?.spec),
      ...(headSide ? { head: headSide } : {}),
      ...(baseSide ? { base: baseSide } : {}),
      ...(gatesSide ? { gates: gatesSide } : {}),
      ...(headApis ? { headApis } : {}),
    });
  }
  return {
    pairs,
    gates,
    ruleset,
    waivers,
    findings,
    notices,
    ...(head.exists ? { render: () => renderRepo(headSource, { loadSpec: load }), configFound: true } : {}),
  };
}

interface ConfigRead {
  exists: boolean;
  config?: RepoConfig;
  file?: SourceFile;
  findings: Finding[];
}

async function readConfig(source: FileSource): Promise<ConfigRead> {
  const { loaded: file, findings: located } = await loadRepoConfigFile(source);
  if (file === undefined) return { exists: false, findings: [] };
  if ('findings' in file) return { exists: true, findings: [...located, ...file.findings] };
  const parsed = parseRepoConfig(file);
  return { exists: true, file, ...parsed, findings: [...located, ...parsed.findings] };
}

async function readApiSide(
  source: FileSource,
  read: ConfigRead,
  name: string,
  load: SpecLoader,
): Promise<ApiSide | undefined> {
  const index = read.config?.apis.findIndex((a) => a.name === name) ?? -1;
  const api = read.config?.apis[index];
  if (!api || !read.file) return undefined;
  const spec = await load(source, api.spec);
  // A config naming a file that does not exist: said on the config line, as the render says it.
  const loaded = isMissingEntry(spec)
    ? { ...spec, findings: [missingSpecFinding(read.file, index, api.spec)] }
    : spec;
  return { spec: loaded, api, config: { file: read.file, index } };
}

async function readRuleset(
  source: FileSource,
  path: string,
  configPath: string | undefined,
): Promise<{ ruleset?: LintRuleset; findings: Finding[] }> {
  const bytes = await source.read(path);
  if (!bytes) return { findings: [rulesetNotFoundFinding(path, configPath)] };
  const { parseRuleset } = await import('../core/lint/ruleset.js'); // pulls in Spectral: only when a ruleset is configured
  return parseRuleset(new TextDecoder().decode(bytes), path);
}

/** The ignore files the gates name, each with the level it waives. */
function waiverFilesOf(gates: GateSettings): [string, 'error' | 'warning'][] {
  return [
    ...(gates.errIgnore ? [[gates.errIgnore, 'error'] as [string, 'error']] : []),
    ...(gates.warnIgnore ? [[gates.warnIgnore, 'warning'] as [string, 'warning']] : []),
  ];
}

async function readWaivers(
  source: FileSource,
  file: string,
  level: 'error' | 'warning',
  config: SourceFile | undefined,
): Promise<{ waivers?: WaiverFile; findings: Finding[] }> {
  const bytes = await source.read(file);
  if (!bytes) return { findings: [waiverFileNotFound(file, level, config)] };
  return parseWaiverFile(file, level, bytes);
}

async function fileChanged(base: FileSource, head: FileSource, path: string): Promise<boolean> {
  const [a, b] = await Promise.all([base.read(path), head.read(path)]);
  return !sameBytes(a, b);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function rulesetChanged(base: FileSource, head: FileSource, path: string): Promise<boolean> {
  const [a, b] = await Promise.all([base.read(path), head.read(path)]);
  const decoder = new TextDecoder();
  return decoder.decode(a) !== decoder.decode(b);
}
