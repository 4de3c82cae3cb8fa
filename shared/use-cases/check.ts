/**
 * Use case: check the head version of an API repo (or of one spec) against its base — validation, lint,
 * breaking changes, routing — and decide the verdict. The CLI and the GitHub App worker both call this.
 * @module
 */

import { isDeepStrictEqual } from 'node:util';
import { findBreakingChanges, isMajorBump } from '../core/breaking/find-breaking-changes.js';
import {
  type ApiEntry,
  type GateSettings,
  parseRepoConfig,
  type RepoConfig,
  repoConfigFile,
  resolveGates,
} from '../core/config/repo-config.js';
import { compareFindings, type Finding, type SourcePosition } from '../core/findings.js';
import { validateXKuma } from '../core/kuma/render/x-kuma.js';
import { filterNewFindings } from '../core/lint/filter-new-findings.js';
import { lintSpec } from '../core/lint/lint-spec.js';
import type { LintRuleset } from '../core/lint/types.js';
import type { ApiSummary, CheckReport } from '../core/report/types.js';
import { checkRouting, type RoutingView } from '../core/routing/check-routing.js';
import { loadSourceFile, loadSpec } from '../core/spec/load-spec.js';
import type { LoadedSpec, SourceFile } from '../core/spec/types.js';
import { validateSpec } from '../core/spec/validate-spec.js';
import { applyBreakingGate, decideVerdict, waiveBreaking } from '../core/verdict.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { FileSource } from '../ports/file-source.js';

export type CheckTarget =
  /** Both sides are repos with a `.kuma-api-forge.yaml` at their root. */
  | { mode: 'repo'; base: FileSource | undefined; head: FileSource }
  /** One spec on each side, given by its entry file inside its source. */
  | {
      mode: 'spec';
      base: { source: FileSource; entry: string } | undefined;
      head: { source: FileSource; entry: string };
    };

export interface CheckOptions {
  /** The PR carries the approval label: breaking changes pass, visibly. */
  approved?: boolean;
  /** Labels of the PR: the gate's approval label (read from the base config) approves its breaking changes. */
  labels?: readonly string[];
  /** CLI `--fail-on`: lowest severity that fails, for every kind. */
  failOn?: 'error' | 'warning';
  /** Overrides the gate's lint scope (`new`: only findings the base does not have). */
  lintScope?: 'new' | 'all';
}

export interface CheckDeps {
  breakingDiff: BreakingDiff;
}

/** Thrown when the input cannot be checked at all (no config in repo mode): the CLI's exit 2. */
export class UnreadableInputError extends Error {
  override name = 'UnreadableInputError';
}

/** One side of an API: its spec, its config entry, and where that entry sits in the config file (repo mode). */
interface ApiSide {
  spec: LoadedSpec;
  api: ApiEntry;
  config?: { file: SourceFile; index: number };
}

interface ApiPair {
  summary: ApiSummary;
  base?: ApiSide;
  head?: ApiSide;
}

export async function runCheck(
  target: CheckTarget,
  options: CheckOptions,
  deps: CheckDeps,
): Promise<CheckReport> {
  const setup =
    target.mode === 'repo' ? await readRepoSetup(target.base, target.head) : await readSpecSetup(target);
  const gates = options.lintScope
    ? { ...setup.gates, lint: { ...setup.gates.lint, scope: options.lintScope } }
    : setup.gates;

  const findings = [...setup.findings];
  for (const pair of setup.pairs) {
    findings.push(...(await checkApi(pair, gates, setup.ruleset, options, deps)));
  }
  findings.sort(compareFindings);
  const { verdict, reason } = decideVerdict(findings, {
    gates,
    ...(options.failOn ? { failOn: options.failOn } : {}),
  });
  const notices = [...setup.notices];
  const label = gates.approvalLabel;
  if (options.labels?.includes(label) && findings.some((f) => f.waivedBy === 'approval')) {
    notices.push(`Breaking changes are accepted because this pull request has the label ${label}.`);
  }
  return { verdict, reason, findings, apis: setup.pairs.map((p) => p.summary), notices };
}

async function checkApi(
  pair: ApiPair,
  gates: GateSettings,
  ruleset: LintRuleset | undefined,
  options: CheckOptions,
  deps: CheckDeps,
): Promise<Finding[]> {
  const { base, head } = pair;
  if (!head) return base ? [apiRemovedFinding(pair.summary, base.spec)] : [];
  const findings = [...head.spec.findings];
  if (!head.spec.bundle) return findings;

  // oasdiff runs in its own process: start it first so it overlaps validation and lint.
  // Its failure is a finding (the check cannot vouch for compatibility), never a crash.
  const breaking =
    base?.spec.bundle && gates.breaking !== 'off'
      ? findBreakingChanges(base.spec, head.spec, deps.breakingDiff).catch((error: unknown) => [
          breakingCheckFailed(head.spec, error),
        ])
      : undefined;
  // Validation and lint below are long synchronous stretches: let the promise chain that leads to the
  // runner's spawn run first (the runner starts its process without waiting for I/O), or oasdiff would start
  // only after them (~4 s late on GitHub's description) and run alone.
  if (breaking) await new Promise((resolve) => setImmediate(resolve));
  const validation = await validateSpec(head.spec);
  findings.push(...validation, ...validateXKuma(head.spec));

  const lintOptions = ruleset ? { ruleset } : {};
  let lint = await lintSpec(head.spec, lintOptions);
  if (gates.lint.scope === 'new' && base?.spec.bundle) {
    lint = filterNewFindings(lint, await lintSpec(base.spec, lintOptions));
  }
  findings.push(...lint);

  const headView: RoutingView = routingView(head);
  findings.push(...checkRouting(base ? { base: routingView(base), head: headView } : { head: headView }));

  const headIsValid = !findings.some((f) => f.kind === 'validation' && f.severity === 'error');
  if (breaking) {
    // Awaited even when the head is invalid, so that no oasdiff process outlives the check.
    const changes = await breaking;
    if (headIsValid) findings.push(...gateBreaking(changes, pair.summary, gates, options));
  }
  return findings;
}

function breakingCheckFailed(head: LoadedSpec, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    kind: 'breaking',
    id: 'breaking-check-failed',
    severity: 'error',
    message: `the breaking-change check could not run: ${reason}`,
    ...head.locate(''),
  };
}

function gateBreaking(
  breaking: Finding[],
  summary: ApiSummary,
  gates: GateSettings,
  options: CheckOptions,
): Finding[] {
  if (isMajorBump(summary.baseVersion, summary.headVersion)) return waiveBreaking(breaking, 'major-version');
  const approved = options.approved || options.labels?.includes(gates.approvalLabel);
  const waived = approved ? waiveBreaking(breaking, 'approval') : breaking;
  return applyBreakingGate(waived, gates);
}

function routingView(side: ApiSide): RoutingView {
  const { api, config } = side;
  const at = (key: string): SourcePosition | undefined => {
    if (!config || api[key] === undefined) return undefined;
    return { file: config.file.path, ...config.file.locate(`/apis/${config.index}/${key}`) };
  };
  const basePathAt = at('basePath');
  const hostnamesAt = at('hostnames');
  return {
    spec: side.spec,
    ...(api.basePath !== undefined ? { basePath: api.basePath } : {}),
    ...(api.hostnames !== undefined ? { hostnames: api.hostnames } : {}),
    configPositions: {
      ...(basePathAt ? { basePath: basePathAt } : {}),
      ...(hostnamesAt ? { hostnames: hostnamesAt } : {}),
    },
  };
}

function apiRemovedFinding(summary: ApiSummary, base: LoadedSpec): Finding {
  const position = base.locate('');
  return {
    kind: 'breaking',
    id: 'api-removed',
    severity: 'error',
    message: `API "${summary.name}" was removed from ${repoConfigFile}: every operation it exposed stops working`,
    ...position,
    side: 'base',
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the inputs

interface Setup {
  pairs: ApiPair[];
  gates: GateSettings;
  ruleset: LintRuleset | undefined;
  findings: Finding[];
  notices: string[];
}

async function readSpecSetup(target: Extract<CheckTarget, { mode: 'spec' }>): Promise<Setup> {
  const head = await loadSpec(target.head.source, target.head.entry);
  const base = target.base ? await loadSpec(target.base.source, target.base.entry) : undefined;
  const name = target.head.entry.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
  const api: ApiEntry = { name, spec: target.head.entry };
  const pair = {
    summary: summarize(name, base, head),
    head: { spec: head, api },
    ...(base ? { base: { spec: base, api } } : {}),
  };
  return { pairs: [pair], gates: resolveGates(undefined), ruleset: undefined, findings: [], notices: [] };
}

/** Repo mode: APIs from the head config (so a PR that adds an API is checked); gates and ruleset from the base. */
async function readRepoSetup(baseSource: FileSource | undefined, headSource: FileSource): Promise<Setup> {
  const head = await readConfig(headSource);
  if (!head.exists) throw new UnreadableInputError(`no ${repoConfigFile} in ${headSource.description}`);
  const base = baseSource ? await readConfig(baseSource) : undefined;
  const findings = [...head.findings];
  const notices: string[] = [];

  // The trust rule: a PR never loosens its own gate. Without a base config, the defaults apply.
  const gates = base?.config?.gates ?? resolveGates(undefined);
  if (head.config && JSON.stringify(head.config.gates) !== JSON.stringify(gates)) {
    notices.push(
      `This change edits the gate settings in ${repoConfigFile}; they take effect after it is merged.`,
    );
  }
  let ruleset: LintRuleset | undefined;
  if (gates.lint.ruleset && baseSource) {
    const loaded = await readRuleset(baseSource, gates.lint.ruleset);
    ruleset = loaded.ruleset;
    findings.push(...loaded.findings);
    if (
      head.config?.gates.lint.ruleset &&
      (await rulesetChanged(baseSource, headSource, gates.lint.ruleset))
    ) {
      notices.push(
        `This change edits the lint ruleset ${gates.lint.ruleset}; it takes effect after it is merged.`,
      );
    }
  }

  const names = new Set([...(head.config?.apis ?? []), ...(base?.config?.apis ?? [])].map((a) => a.name));
  const pairs: ApiPair[] = [];
  for (const name of [...names].sort()) {
    const headSide = await readApiSide(headSource, head, name);
    const baseSide = base && baseSource ? await readApiSide(baseSource, base, name) : undefined;
    pairs.push({
      summary: summarize(name, baseSide?.spec, headSide?.spec),
      ...(headSide ? { head: headSide } : {}),
      ...(baseSide ? { base: baseSide } : {}),
    });
  }
  return { pairs, gates, ruleset, findings, notices };
}

interface ConfigRead {
  exists: boolean;
  config?: RepoConfig;
  file?: SourceFile;
  findings: Finding[];
}

async function readConfig(source: FileSource): Promise<ConfigRead> {
  const file = await loadSourceFile(source, repoConfigFile);
  if (file === undefined) return { exists: false, findings: [] };
  if ('findings' in file) return { exists: true, findings: file.findings };
  return { exists: true, file, ...parseRepoConfig(file) };
}

async function readApiSide(source: FileSource, read: ConfigRead, name: string): Promise<ApiSide | undefined> {
  const index = read.config?.apis.findIndex((a) => a.name === name) ?? -1;
  const api = read.config?.apis[index];
  if (!api || !read.file) return undefined;
  return { spec: await loadSpec(source, api.spec), api, config: { file: read.file, index } };
}

async function readRuleset(
  source: FileSource,
  path: string,
): Promise<{ ruleset?: LintRuleset; findings: Finding[] }> {
  const bytes = await source.read(path);
  if (!bytes) {
    const message = `lint ruleset ${path} named in ${repoConfigFile} does not exist on the base branch`;
    return {
      findings: [
        {
          kind: 'validation',
          id: 'ruleset-not-found',
          severity: 'error',
          message,
          file: repoConfigFile,
          line: 1,
          column: 1,
          pointer: '/gates/lint/ruleset',
        },
      ],
    };
  }
  const { parseRuleset } = await import('../core/lint/ruleset.js'); // pulls in Spectral: only when a ruleset is configured
  return parseRuleset(new TextDecoder().decode(bytes), path);
}

async function rulesetChanged(base: FileSource, head: FileSource, path: string): Promise<boolean> {
  const [a, b] = await Promise.all([base.read(path), head.read(path)]);
  const decoder = new TextDecoder();
  return decoder.decode(a) !== decoder.decode(b);
}

function summarize(name: string, base: LoadedSpec | undefined, head: LoadedSpec | undefined): ApiSummary {
  const baseVersion = infoVersion(base);
  const headVersion = infoVersion(head);
  const status = !head ? 'removed' : !base ? 'added' : sameBundle(base, head) ? 'unchanged' : 'changed';
  const files = [...((head ?? base)?.files.keys() ?? [])];
  return {
    name,
    spec: (head ?? base)?.entry ?? '',
    files,
    status,
    ...(baseVersion !== undefined ? { baseVersion } : {}),
    ...(headVersion !== undefined ? { headVersion } : {}),
  };
}

function infoVersion(spec: LoadedSpec | undefined): string | undefined {
  const info = spec?.bundle?.info as { version?: unknown } | undefined;
  return info?.version === undefined ? undefined : String(info.version);
}

/** Deep comparison stops at the first difference (serialising two 13 MB bundles to compare them took ~0.15 s). */
function sameBundle(a: LoadedSpec, b: LoadedSpec): boolean {
  return a.bundle !== undefined && isDeepStrictEqual(a.bundle, b.bundle);
}
