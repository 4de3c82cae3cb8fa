/**
 * The breaking check's own findings: an API the head no longer lists, a side oasdiff cannot be given, oasdiff
 * failing. Never silent: each says why compatibility was not checked, and gates like a breaking change.
 * @module
 */
import { repoConfigFile } from '../config/repo-config.js';
import type { Finding, SourcePosition } from '../findings.js';
import { listOperations } from '../spec/operations.js';
import type { LoadedSpec, SourceFile } from '../spec/types.js';

/** One side of an API: its spec, and where its entry sits in the config file (repo mode). */
export interface SpecSide {
  spec: LoadedSpec;
  config?: { file: SourceFile; index: number };
}

/** The first validation error, described for a breaking-*-unreadable finding. */
export function describeInvalid(validation: readonly Finding[]): string | undefined {
  const error = validation.find((f) => f.severity === 'error');
  return error ? `${error.message} (${error.file}:${error.line}, ${error.id})` : undefined;
}

/** Why a side cannot be given to oasdiff, or undefined when it can. */
export function describeUnreadable(spec: LoadedSpec): string | undefined {
  const error = describeInvalid(spec.findings);
  if (error) return error;
  if (!spec.bundle) return `${spec.entry} could not be read`;
  if (!spec.version) return `${spec.entry} is not an OpenAPI document`;
  return undefined;
}

/** On the config entry that names the spec (repo mode), else on the entry file. */
export function sideUnreadable(
  side: 'base' | 'head',
  apiName: string,
  at: SpecSide,
  problem: string,
): Finding {
  const position = at.config
    ? { file: at.config.file.path, ...at.config.file.locate(`/apis/${at.config.index}/spec`) }
    : at.spec.locate('');
  const what = side === 'base' ? 'the base version' : 'this version';
  return {
    kind: 'breaking',
    id: `breaking-${side}-unreadable`,
    severity: 'error',
    message: `breaking changes of API "${apiName}" cannot be checked: ${what} of ${at.spec.entry} did not load: ${problem}`,
    ...position,
    ...(side === 'base' ? { side } : {}),
    hint:
      side === 'base'
        ? 'fix the spec on the base branch first, or accept the risk with the approval label'
        : 'fix the spec so that it loads',
  };
}

export function breakingCheckFailed(head: LoadedSpec, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    kind: 'breaking',
    id: 'breaking-check-failed',
    severity: 'error',
    message: `the breaking-change check could not run: ${reason}`,
    ...head.locate(''),
  };
}

/**
 * An API the head no longer lists (entry deleted, renamed, or the whole config gone): every operation of it.
 * `headApis`: where the head config lists its APIs, for annotating the removal in the head.
 */
export function apiRemovedFinding(apiName: string, base: SpecSide, headApis?: SourcePosition): Finding {
  const position = base.config
    ? { file: base.config.file.path, ...base.config.file.locate(`/apis/${base.config.index}`) }
    : base.spec.locate('');
  const operations = listOperations(base.spec.bundle)
    .map((operation) => operation.label)
    .sort();
  const what =
    operations.length > 0
      ? `its ${operations.length} operation${operations.length === 1 ? '' : 's'} stop working`
      : 'every operation it exposed stops working';
  return {
    kind: 'breaking',
    id: 'api-removed',
    severity: 'error',
    message: `API "${apiName}" was removed from ${base.config?.file.path ?? repoConfigFile}: ${what}`,
    ...position,
    side: 'base',
    ...(operations.length > 0 ? { operations } : {}),
    ...(headApis ? { headPosition: headApis } : {}),
  };
}

/**
 * A base config that exists but cannot be read hides what the base had: said, like an unreadable base spec, on
 * the config file the base has (its findings say which).
 */
export function baseConfigUnreadable(configFindings: readonly Finding[]): Finding {
  const cause = configFindings[0];
  const problem = cause ? `${cause.message} (line ${cause.line}, ${cause.id})` : 'it is invalid';
  const file = cause?.file || repoConfigFile;
  return {
    kind: 'breaking',
    id: 'breaking-base-unreadable',
    severity: 'error',
    message: `breaking changes cannot be checked: the base version of ${file} did not load: ${problem}`,
    file,
    line: cause?.line ?? 1,
    column: cause?.column ?? 1,
    pointer: cause?.pointer ?? '',
    side: 'base',
    hint: 'fix the config on the base branch first, or accept the risk with the approval label',
  };
}
