/**
 * GitHub's REST description (`@octokit/openapi`, 13 MB, 1,100+ operations): the largest real spec the tests
 * prove properties on. Loading it is most of those files' time, so it is loaded once per test worker (the
 * workers share modules across files: `isolate: false`), and each render of it once per API config. Both are
 * deeply frozen: a test or a render that changed them would throw instead of changing what the next file sees.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type RenderResult, renderApi } from '../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../shared/core/kuma/render/types.js';
import type { LoadedSpec } from '../../shared/core/spec/types.js';
import { deepFreeze } from './deep-freeze.js';
import { loadSpecFromFiles } from './spec.js';

export const githubDescriptionFile = 'api.github.com.json';
export const githubDescriptionPath = createRequire(import.meta.url).resolve(
  '@octokit/openapi/generated/api.github.com.json',
);

let loaded: Promise<LoadedSpec> | undefined;
const renders = new Map<string, RenderResult>();

/** The description loaded as `api.github.com.json` (limits raised to fit it), shared and frozen. */
export function loadGitHubDescription(): Promise<LoadedSpec> {
  loaded ??= loadSpecFromFiles(
    { [githubDescriptionFile]: readFileSync(githubDescriptionPath, 'utf8') },
    githubDescriptionFile,
    { maxFileBytes: 64 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 },
  ).then(deepFreeze);
  return loaded;
}

/** `renderApi` of the description for `api` (rendering is pure: the same config gives the same result), frozen. */
export async function renderGitHubDescription(api: ApiConfig): Promise<RenderResult> {
  const spec = await loadGitHubDescription();
  const key = JSON.stringify(api);
  let result = renders.get(key);
  if (!result) {
    result = deepFreeze(renderApi({ spec, api }));
    renders.set(key, result);
  }
  return result;
}
