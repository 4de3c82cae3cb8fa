/**
 * The platform team's governance, in the deploy repo's `governance/` folder next to `tenants.yaml`:
 * `ruleset.yaml` (a Spectral ruleset every API must pass) and `limits.yaml` (mandatory limits on what every
 * exposed operation gets at the gateway, for `all` repos and per tenant, validated against
 * schemas/governance-limits.schema.json). A tenant's `ruleset` names a further ruleset file in the folder.
 *
 * A folder of its own, not keys in tenants.yaml: the ruleset stays a plain Spectral file the platform team can
 * run with Spectral itself, CODEOWNERS can give it to another team than the grants, and a pull request that
 * changes governance is recognised by its paths alone.
 *
 * Pure: the use case reads the files, this parses them. A file that cannot be used at all, and every error in a
 * ruleset (a rule that would not run), is a finding that refuses every deploy: governance never silently
 * weakens.
 * @module
 */
import { Ajv } from 'ajv';
import schema from '../../../schemas/governance-limits.schema.json' with { type: 'json' };
import type { Finding } from '../findings.js';
import type { LintRuleset } from '../lint/types.js';
import { parseRepoRef, type RepoRef, repoKey } from '../repo-ref.js';
import { schemaFindings } from '../schema-findings.js';
import { escapePointer } from '../spec/json-pointer.js';
import { parseSourceFile } from '../spec/parse-source-file.js';
import { defaultLoadLimits } from '../spec/types.js';

export const governanceFolder = 'governance/';
export const governanceRulesetFile = `${governanceFolder}ruleset.yaml`;
export const governanceLimitsFile = `${governanceFolder}limits.yaml`;

/** Governance files are small: these bound what a hostile or broken file can cost each check. */
export const governanceLimits = { ...defaultLoadLimits, maxFileBytes: 1024 * 1024 };

/** A tag scope of a `require…` limit: every exposed operation, or those with one of these tags. */
export type TagScope = true | { tags: string[] };

export interface Limits {
  ruleset?: string;
  maxTimeout?: string;
  maxIdleTimeout?: string;
  maxRetries?: number;
  requireRateLimit?: TagScope;
  maxRateLimit?: { requests: number; interval: string };
  requireAuth?: TagScope;
  jwksHosts?: string[];
}

/** One scope's limits and where they are written, for findings that name the platform's rule. */
export interface ScopedLimits {
  limits: Limits;
  /** `all` or `owner/repo`, as written. */
  scope: string;
  /** JSON pointer of the scope in limits.yaml. */
  pointer: string;
}

export interface PlatformRuleset {
  /** Deploy-repo path of the ruleset. */
  file: string;
  ruleset: LintRuleset;
}

export interface Governance {
  /** `governance/ruleset.yaml`: every repo's APIs. */
  ruleset?: PlatformRuleset;
  all?: ScopedLimits;
  /** Keyed by {@link repoKey}. */
  tenants: ReadonlyMap<string, ScopedLimits>;
  /** Further rulesets named by a scope's `ruleset`, by deploy-repo path. */
  rulesets: ReadonlyMap<string, PlatformRuleset>;
}

/** What applies to one repo: the rulesets and the limits of `all` and of its own entry (both must hold). */
export interface RepoGovernance {
  rulesets: PlatformRuleset[];
  limits: ScopedLimits[];
}

/** The governance files' texts by deploy-repo path (only paths under {@link governanceFolder}). */
export type GovernanceFiles = ReadonlyMap<string, string>;

/** Whether a deploy-repo path is governance (its change gets the governance check). */
export function isGovernancePath(path: string): boolean {
  return path.startsWith(governanceFolder);
}

/** `ruleset.yaml` or `limits.yaml`: read before any further ruleset of the folder. */
export function isMainGovernanceFile(path: string): boolean {
  return path === governanceRulesetFile || path === governanceLimitsFile;
}

export type RulesetParser = (text: string, file: string) => { ruleset: LintRuleset; findings: Finding[] };

let validate: ReturnType<Ajv['compile']> | undefined;

/**
 * The governance files → what they require, or the findings that say why they cannot be used (each on its
 * file and line, kind `governance`, severity error). Without any governance file: undefined, nothing required.
 */
export function parseGovernance(
  files: GovernanceFiles,
  parseRuleset: RulesetParser,
): { governance?: Governance; findings: Finding[] } {
  const findings: Finding[] = [];
  const rulesetText = files.get(governanceRulesetFile);
  const limitsText = files.get(governanceLimitsFile);
  if (rulesetText === undefined && limitsText === undefined) return { findings };

  const readRuleset = (file: string, text: string): PlatformRuleset | undefined => {
    // The ruleset parser is the repo rulesets' (nothing executes, no remote extends, our JSONPath grammar);
    // a refused rule would not run, so for the platform any error is a reason to deploy nothing.
    const bytes = Buffer.from(text);
    const parsed = parseSourceFile(file, bytes, governanceLimits);
    if (!parsed.file) {
      findings.push(...parsed.findings.map(invalid));
      return undefined;
    }
    const result = parseRuleset(text, file);
    const errors = result.findings.filter((f) => f.severity === 'error');
    findings.push(...errors.map(invalid));
    return errors.length > 0 ? undefined : { file, ruleset: result.ruleset };
  };

  const governance: Governance & {
    tenants: Map<string, ScopedLimits>;
    rulesets: Map<string, PlatformRuleset>;
  } = { tenants: new Map(), rulesets: new Map() };
  if (rulesetText !== undefined) {
    const ruleset = readRuleset(governanceRulesetFile, rulesetText);
    if (ruleset) governance.ruleset = ruleset;
  }
  if (limitsText !== undefined) {
    const parsed = parseSourceFile(governanceLimitsFile, Buffer.from(limitsText), governanceLimits);
    const file = parsed.file;
    if (!file) findings.push(...parsed.findings.map(invalid));
    else {
      validate ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
      if (!validate(file.value)) {
        const options = {
          file,
          kind: 'governance',
          id: 'governance-file-invalid',
          root: 'the limits file',
        } as const;
        findings.push(...schemaFindings(validate.errors ?? [], options).map(invalid));
      } else {
        const raw = file.value as { all?: Limits; tenants?: Record<string, Limits> };
        if (raw.all) governance.all = { limits: raw.all, scope: 'all', pointer: '/all' };
        for (const [key, limits] of Object.entries(raw.tenants ?? {})) {
          const repo = parseRepoRef(key); // the schema's pattern is the parser's grammar: every key parses
          if (!repo) continue;
          const pointer = `/tenants/${escapePointer(key)}`;
          const twin = governance.tenants.get(repoKey(repo));
          // GitHub names are case-insensitive: two spellings of one repo would silently drop one entry.
          if (twin) {
            findings.push(
              invalid({
                kind: 'governance',
                id: 'governance-file-invalid',
                severity: 'error',
                message: `${key} is the same repository as ${twin.scope} (names are compared without case); merge the two entries`,
                file: governanceLimitsFile,
                ...file.locate(pointer),
              }),
            );
            continue;
          }
          governance.tenants.set(repoKey(repo), { limits, scope: key, pointer });
        }
        for (const scoped of [governance.all, ...governance.tenants.values()]) {
          const name = scoped?.limits.ruleset;
          if (!scoped || name === undefined) continue;
          const path = `${governanceFolder}${name}`;
          if (governance.rulesets.has(path)) continue;
          const text = files.get(path);
          if (text === undefined) {
            findings.push(
              invalid({
                kind: 'governance',
                id: 'governance-file-invalid',
                severity: 'error',
                message: `the ruleset ${path} named here does not exist`,
                file: governanceLimitsFile,
                ...file.locate(`${scoped.pointer}/ruleset`),
              }),
            );
            continue;
          }
          const ruleset = readRuleset(path, text);
          if (ruleset) governance.rulesets.set(path, ruleset);
        }
      }
    }
  }
  return findings.length > 0 ? { findings } : { governance, findings };
}

/** A finding about a governance file: kind governance, and it says that nothing can be deployed. */
function invalid(finding: Finding): Finding {
  return {
    ...finding,
    kind: 'governance',
    id: 'governance-file-invalid',
    severity: 'error',
    message: `the deploy repo's ${finding.file} is invalid, nothing can be deployed until the platform team fixes it: ${finding.message}${finding.id === 'governance-file-invalid' ? '' : ` (${finding.id})`}`,
  };
}

/** What governs one repo: the platform ruleset, `all`'s limits and ruleset, and its own entry's. */
export function governanceFor(governance: Governance | undefined, repo: RepoRef): RepoGovernance {
  if (!governance) return { rulesets: [], limits: [] };
  const limits = [governance.all, governance.tenants.get(repoKey(repo))].filter(
    (scoped): scoped is ScopedLimits => scoped !== undefined,
  );
  const named = limits.flatMap((scoped) => {
    const name = scoped.limits.ruleset;
    const ruleset = name === undefined ? undefined : governance.rulesets.get(`${governanceFolder}${name}`);
    return ruleset ? [ruleset] : [];
  });
  const rulesets = [...(governance.ruleset ? [governance.ruleset] : []), ...named];
  return { rulesets: [...new Map(rulesets.map((r) => [r.file, r])).values()], limits };
}

/**
 * The further rulesets limits.yaml names (`ruleset:` of `all` and of each tenant), as deploy-repo paths, read
 * without validating the rest: what a reader of the folder must fetch besides ruleset.yaml and limits.yaml.
 */
export function namedRulesetPaths(limitsText: string): string[] {
  const parsed = parseSourceFile(governanceLimitsFile, Buffer.from(limitsText), governanceLimits);
  const value = parsed.file?.value as { all?: unknown; tenants?: unknown } | undefined;
  if (!value || typeof value !== 'object') return [];
  const scopes = [value.all, ...Object.values(isRecord(value.tenants) ? value.tenants : {})];
  const names = scopes.flatMap((scope) => {
    const name = isRecord(scope) ? scope.ruleset : undefined;
    return typeof name === 'string' && /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.(ya?ml|json)$/.test(name) ? [name] : [];
  });
  return [...new Set(names)].slice(0, maxNamedRulesets).map((name) => `${governanceFolder}${name}`);
}

/** Most further rulesets a limits file may name (more are read as missing). */
export const maxNamedRulesets = 30;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
