/**
 * The deploy plan: the exact set of file writes that makes `apis/<owner>/<repo>/` in the deploy repo hold the
 * manifests rendered from one source commit, and nothing else. Pure. Files are compared by git blob id, so a
 * deploy needs no blob downloads to know what changed (contents, when given, only feed the YAML diffs).
 * @module
 */

import { InvariantError } from '../errors.js';
import { readPolicyKeys } from '../kuma/render/shared-policy-keys.js';
import type { ManifestFile } from '../kuma/render/types.js';
import { formatRepoRef, type RepoRef } from '../repo-ref.js';
import { escapeLineText } from '../yaml-output.js';
import { assertInsideFolder, buildGitBlobSha, buildRepoFolder, isSafeSegment } from './deploy-paths.js';
import type { DriftedFile } from './drift.js';
import { readManifestResources, readRouteClaims } from './route-claims.js';
import {
  buildResourceKey,
  type InputFile,
  renderSourceRecord,
  type SourceRecord,
  sourceRecordFile,
} from './source-record.js';

export interface RenderedApiFiles {
  name: string;
  /** Paths relative to the API's folder (one file name each). */
  files: ManifestFile[];
}

/** A file now under the repo's folder: deploy-repo path and git blob id; content when it was read. */
export interface CurrentFile {
  path: string;
  sha: string;
  content?: string;
}

export interface PlanDeployInput {
  sourceRepo: RepoRef;
  sourceSha: string;
  pullNumber?: number;
  rendered: RenderedApiFiles[];
  /** The source files the render read (config, specs and their `$ref`s), with hashes, for provenance. */
  inputs?: InputFile[];
  /** Every file under `apis/<owner>/<repo>/` in the deploy repo now. */
  current: CurrentFile[];
  /** Hand edits in the folder (see `drift.ts`) this deploy overwrites: said in the commit message. */
  overwrites?: DriftedFile[];
}

export interface DeployChange {
  /** Deploy-repo path. */
  path: string;
  /** New content; null deletes. */
  content: string | null;
}

export type ChangeKind = 'added' | 'changed' | 'removed';

export interface ResourceChange {
  change: ChangeKind;
  api: string;
  path: string;
  /** `Kind namespace/name` when the content is known, else the file path. */
  resource: string;
  before?: string;
  after?: string;
}

export interface DeployPlan {
  sourceRepo: RepoRef;
  sourceSha: string;
  pullNumber?: number;
  folder: string;
  /** Empty when the deploy repo already holds exactly this render: then nothing is committed. */
  changes: DeployChange[];
  resources: ResourceChange[];
  summary: Record<ChangeKind, number>;
  message: string;
  /** Hand edits of the folder the commit overwrites; absent when none (or nothing is committed). */
  overwrote?: DriftedFile[];
}

export function planDeploy(input: PlanDeployInput): DeployPlan {
  const folder = buildRepoFolder(input.sourceRepo);
  const recordPath = `${folder}${sourceRecordFile}`;
  const current = new Map(input.current.map((file) => [file.path, file]));
  const desired = new Map<string, { api: string; content: string }>();
  for (const api of input.rendered) {
    if (!isSafeSegment(api.name))
      throw new InvariantError(`API name ${JSON.stringify(api.name)} cannot be a folder`);
    for (const file of api.files) {
      if (!isSafeSegment(file.path) || file.path.startsWith('.')) {
        throw new InvariantError(
          `manifest ${JSON.stringify(file.path)} of API "${api.name}" cannot be a file name`,
        );
      }
      desired.set(`${folder}${api.name}/${file.path}`, { api: api.name, content: file.content });
    }
  }

  const resources: ResourceChange[] = [];
  for (const [path, file] of desired) {
    const now = current.get(path);
    if (now && now.sha === buildGitBlobSha(file.content)) continue;
    resources.push({
      change: now ? 'changed' : 'added',
      api: file.api,
      path,
      resource: describeResource(path, file.content),
      ...(now?.content !== undefined ? { before: now.content } : {}),
      after: file.content,
    });
  }
  for (const file of input.current) {
    if (desired.has(file.path) || file.path === recordPath) continue;
    resources.push({
      change: 'removed',
      api: file.path.slice(folder.length).split('/')[0] ?? '',
      path: file.path,
      resource: file.content === undefined ? file.path : describeResource(file.path, file.content),
      ...(file.content !== undefined ? { before: file.content } : {}),
    });
  }
  resources.sort((a, b) => compareText(a.path, b.path));

  const record = buildRecord(input, desired);
  const recordText = renderSourceRecord(record);
  const recordMissing = !current.has(recordPath);
  const changes: DeployChange[] =
    resources.length === 0 && !recordMissing
      ? []
      : [
          ...resources.map((r) => ({
            path: r.path,
            content: r.change === 'removed' ? null : (r.after ?? null),
          })),
          ...(current.get(recordPath)?.sha === buildGitBlobSha(recordText)
            ? []
            : [{ path: recordPath, content: recordText }]),
        ];
  assertInsideFolder(
    changes.map((change) => change.path),
    folder,
  );
  const summary = {
    added: count(resources, 'added'),
    changed: count(resources, 'changed'),
    removed: count(resources, 'removed'),
  };
  return {
    sourceRepo: input.sourceRepo,
    sourceSha: input.sourceSha,
    ...(input.pullNumber !== undefined ? { pullNumber: input.pullNumber } : {}),
    folder,
    changes,
    resources,
    summary,
    message: buildCommitMessage(input, record, resources, summary),
    ...(changes.length > 0 && input.overwrites?.length ? { overwrote: input.overwrites } : {}),
  };
}

function buildRecord(
  input: PlanDeployInput,
  desired: Map<string, { api: string; content: string }>,
): SourceRecord {
  const folder = buildRepoFolder(input.sourceRepo);
  const replaces = input.current.find((file) => file.path === `${folder}${sourceRecordFile}`)?.sha;
  const files = [...desired].map(([path, file]) => ({ path, content: file.content }));
  const manifests = readManifestResources(files);
  const keys = input.rendered.map((api) =>
    readPolicyKeys(
      api.name,
      readManifestResources(files.filter((f) => desired.get(f.path)?.api === api.name)),
    ),
  );
  return {
    repo: input.sourceRepo,
    commit: input.sourceSha,
    ...(input.pullNumber !== undefined ? { pullRequest: input.pullNumber } : {}),
    inputs: [...(input.inputs ?? [])].sort((a, b) => compareText(a.path, b.path)),
    resources: manifests.map(buildResourceKey).sort(compareText),
    routes: readRouteClaims(manifests).map(({ namespaces: _namespaces, ...route }) => route),
    policyKeys: { rules: keys.flatMap((k) => k.rules), gateway: keys.flatMap((k) => k.gateway) },
    generated: Object.fromEntries(
      files
        .map(({ path, content }) => [path.slice(folder.length), buildGitBlobSha(content)] as const)
        .sort(([a], [b]) => compareText(a, b)),
    ),
    ...(replaces ? { replaces } : {}),
  };
}

/**
 * Repo-derived text (file paths, resource names, the repo name) is percent-encoded outside printable ASCII: a
 * line break in a spec's file name cannot forge a line such as the `Kuma-Api-Forge-Source:` trailer.
 */
function buildCommitMessage(
  input: PlanDeployInput,
  record: SourceRecord,
  resources: ResourceChange[],
  summary: Record<ChangeKind, number>,
): string {
  const repo = escapeLineText(formatRepoRef(input.sourceRepo));
  const sha = escapeLineText(input.sourceSha);
  const pr = input.pullNumber !== undefined ? ` (#${input.pullNumber})` : '';
  const lines = [
    `Deploy ${repo}@${sha.slice(0, 7)}${pr}: ${summary.added} added, ${summary.changed} changed, ${summary.removed} removed`,
    '',
    `Source: ${repo} commit ${sha}`,
  ];
  if (input.pullNumber !== undefined) lines.push(`Pull request: ${repo}#${input.pullNumber}`);
  if (record.inputs.length > 0) {
    lines.push('Spec files:');
    for (const file of record.inputs) {
      lines.push(`  ${escapeLineText(file.path)} sha256:${escapeLineText(file.sha256)}`);
    }
  }
  const sign: Record<ChangeKind, string> = { added: '+', changed: '~', removed: '-' };
  for (const kind of ['added', 'changed', 'removed'] as const) {
    const of = resources.filter((r) => r.change === kind);
    if (of.length === 0) continue;
    lines.push(`${kind[0]!.toUpperCase()}${kind.slice(1)}:`);
    for (const r of of) {
      const path = escapeLineText(r.path);
      lines.push(
        `  ${sign[kind]} ${r.resource === r.path ? path : `${escapeLineText(r.resource)} (${path})`}`,
      );
    }
  }
  if (input.overwrites && input.overwrites.length > 0) {
    lines.push('Overwrote hand edits (drift from what kuma-api-forge last wrote):');
    for (const file of input.overwrites) lines.push(`  ${file.change} ${escapeLineText(file.path)}`);
  }
  lines.push('', `Kuma-Api-Forge-Source: ${repo}@${sha}`);
  return `${lines.join('\n')}\n`;
}

function describeResource(path: string, content: string): string {
  const [resource] = readManifestResources([{ path, content }]);
  return resource ? buildResourceKey(resource) : path;
}

function count(resources: ResourceChange[], kind: ChangeKind): number {
  return resources.filter((r) => r.change === kind).length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
