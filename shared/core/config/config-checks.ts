/**
 * What the repo config says that its schema cannot check: `defaults` against the root x-kuma keys, an
 * unambiguous `service.versions`, a spec entry and a lint ruleset that exist. Each problem is a finding on its
 * config line.
 * @module
 */
import type { Finding } from '../findings.js';
import { defaultSplit } from '../kuma/render/build-route-parts.js';
import type { ApiConfig } from '../kuma/render/types.js';
import { checkXKumaValue } from '../kuma/render/x-kuma.js';
import type { LoadedSpec, SourceFile } from '../spec/types.js';
import { repoConfigFile } from './repo-config.js';

/** `defaults` in the repo config take the keys of a root x-kuma block. */
export function checkDefaults(file: SourceFile, value: unknown, pointer: string): Finding[] {
  if (value === undefined) return [];
  return checkXKumaValue(value, 'root').map((problem) => ({
    kind: 'validation',
    id: 'config-schema',
    severity: 'error',
    message: problem.message.replace(/^x-kuma/, pointer.slice(1).replaceAll('/', '.')),
    file: file.path,
    ...file.locate(`${pointer}${problem.path}`),
  }));
}

/**
 * `service.versions` must say which version takes the traffic `x-kuma.weights` does not split (see
 * `defaultSplit`); an ambiguous declaration is an error on its line and the API is not rendered, rather than a
 * guess at a split.
 */
export function checkServiceVersions(file: SourceFile, entry: ApiConfig, index: number): Finding | undefined {
  const split = defaultSplit(entry.service?.versions ?? []);
  if (!('problem' in split)) return undefined;
  return {
    kind: 'validation',
    id: 'kuma-service-versions',
    severity: 'error',
    message: `apis[${index}].service.versions: ${split.problem}`,
    file: file.path,
    ...file.locate(`/apis/${index}/service/versions${split.pointer}`),
  };
}

/** Whether the spec's entry file itself does not exist (as opposed to a broken `$ref` inside it). */
export function isMissingEntry(spec: LoadedSpec): boolean {
  return (
    !spec.bundle &&
    spec.findings.some((finding) => finding.id === 'file-not-found' && finding.file === spec.entry)
  );
}

export function missingSpecFinding(file: SourceFile, index: number, spec: string): Finding {
  return {
    kind: 'validation',
    id: 'config-spec-not-found',
    severity: 'error',
    message: `the spec file "${spec}" of apis[${index}] does not exist in the repo`,
    file: file.path,
    ...file.locate(`/apis/${index}/spec`),
  };
}

/** The gates name a lint ruleset the protected branch does not have. */
export function rulesetNotFoundFinding(path: string, configPath = repoConfigFile): Finding {
  return {
    kind: 'validation',
    id: 'ruleset-not-found',
    severity: 'error',
    message: `lint ruleset ${path} named in ${configPath} does not exist on the branch the gates are read from`,
    file: configPath,
    line: 1,
    column: 1,
    pointer: '/gates/lint/ruleset',
  };
}
