/**
 * Use case: render the Kuma manifests of every API of a repo (from its `.kuma-api-forge.yaml`), or of one bare
 * spec. The CLI (`render`), the PR preview and the deploy all call this, so they produce the same bytes. The
 * decisions (config checks, overrides and the namespace default, the bare spec's name) are in `core/config/`.
 * @module
 */
import { resolveApiTarget } from '../core/config/api-target.js';
import {
  checkDefaults,
  checkServiceVersions,
  isMissingEntry,
  missingSpecFinding,
} from '../core/config/config-checks.js';
import { loadRepoConfigFile } from '../core/config/config-location.js';
import { parseRepoConfig } from '../core/config/repo-config.js';
import { type ApiOverrides, applyOverrides, nameFromSpec, routeGateway } from '../core/config/resolve-api.js';
import { locateRootSetting } from '../core/deploy/tenancy-locator.js';
import type { Finding } from '../core/findings.js';
import type { ManifestResource } from '../core/gateway-api/edge.js';
import { checkRepoRoutes, type RepoApiRoutes } from '../core/kuma/render/check-repo-routes.js';
import {
  type ApiConfig,
  type ManifestFile,
  type ManifestFormat,
  renderApi,
  serializeResources,
  type XKumaRoot,
} from '../core/kuma/render/index.js';
import type { OperationRoute } from '../core/kuma/render/render-api.js';
import { replacedOnMerge } from '../core/kuma/render/shared-policy-keys.js';
import type { KumaResource } from '../core/kuma/resource.js';
import { loadSpec } from '../core/spec/load-spec.js';
import { findMissingRoots } from '../core/spec/required-roots.js';
import type { LoadedSpec, SourceFile } from '../core/spec/types.js';
import { unwritableFinding } from '../core/unwritable-output.js';
import { YamlParityError } from '../core/yaml-output.js';
import type { FileSource } from '../ports/file-source.js';

export interface RenderRepoOptions {
  /** Default `k8s`. */
  format?: ManifestFormat;
  /** Provenance written into every file header: `owner/repo` and the source commit. */
  repo?: string;
  commit?: string;
  /** Render only the API of that name. */
  only?: string;
  /** Kuma mesh; default the config's `mesh`, else `default`. */
  mesh?: string;
  zoneOrigin?: boolean;
  overrides?: ApiOverrides;
  /** How specs are loaded (the check shares its loaded specs); default {@link loadSpec}. */
  loadSpec?: (source: FileSource, entry: string) => Promise<LoadedSpec>;
}

export interface RenderedRepoApi {
  name: string;
  /** The API as rendered: config entry, overrides and the namespace default applied. */
  api: ApiConfig;
  /** Index of the API in the config's `apis`; undefined for a bare spec. */
  configIndex?: number;
  /** The repo config's `defaults` it was rendered with. */
  defaults?: XKumaRoot;
  spec: LoadedSpec;
  resources: KumaResource[];
  /** Non-Kuma objects (gateway-api: HTTPRoutes, ReferenceGrants, the gateway product's policies). */
  manifests: ManifestResource[];
  operations: OperationRoute[];
  /** The API's folder, paths relative to it. */
  files: ManifestFile[];
  /** Its spec's and its render's findings. */
  findings: Finding[];
}

export interface RenderRepoResult {
  /** False when the repo has no `.kuma-api-forge.yaml`: nothing was rendered. */
  configFound: boolean;
  /** The config file, when it parsed (for locating findings about an API's entry). */
  configFile?: SourceFile;
  /** Names of the APIs the config declares (empty without a valid config). */
  declared: string[];
  apis: RenderedRepoApi[];
  /** Every API's files, paths `<api>/<file>` (the layout under `--out` and under the deploy repo's folder). */
  files: ManifestFile[];
  findings: Finding[];
}

/** Every API of the repo's config. Problems are findings on their lines; nothing throws for bad input. */
export async function renderRepo(
  source: FileSource,
  options: RenderRepoOptions = {},
): Promise<RenderRepoResult> {
  const { loaded, findings: located } = await loadRepoConfigFile(source);
  const empty = { apis: [], files: [], declared: [] };
  if (loaded === undefined) return { configFound: false, ...empty, findings: [] };
  if (!('path' in loaded)) return { configFound: true, ...empty, findings: [...located, ...loaded.findings] };
  const configFile: SourceFile = loaded;
  const parsed = parseRepoConfig(configFile);
  const config = parsed.config;
  const findings = [...located, ...parsed.findings];
  if (!config) return { configFound: true, configFile, ...empty, findings };
  // Invalid defaults are reported on their lines and not used (like an invalid x-kuma block in a spec).
  const defaultsFindings = checkDefaults(configFile, config.defaults, '/defaults');
  const defaults = defaultsFindings.length > 0 ? undefined : config.defaults;
  findings.push(...defaultsFindings);
  const entries = config.apis.map((entry, index) => {
    const problems = checkDefaults(configFile, entry.defaults, `/apis/${index}/defaults`);
    findings.push(...problems);
    if (problems.length === 0) return entry;
    const { defaults: _invalid, ...rest } = entry;
    return rest;
  });
  const apis: RenderedRepoApi[] = [];
  for (const [configIndex, entry] of entries.entries()) {
    if (options.only !== undefined && entry.name !== options.only) continue;
    const versionsProblem = checkServiceVersions(configFile, entry, configIndex);
    if (versionsProblem) {
      findings.push(versionsProblem);
      continue;
    }
    const targeted = resolveApiTarget(
      configFile,
      entry,
      configIndex,
      config,
      options.overrides ?? {},
      options.format ?? 'k8s',
    );
    findings.push(...targeted.findings);
    if (!targeted.api) continue;
    const spec = await (options.loadSpec ?? loadSpec)(source, entry.spec);
    if (isMissingEntry(spec)) {
      findings.push(missingSpecFinding(configFile, configIndex, entry.spec));
      continue;
    }
    apis.push(
      renderOne(spec, targeted.api, { ...options, mesh: options.mesh ?? config.mesh }, defaults, configIndex),
    );
  }
  findings.push(...apis.flatMap((api) => api.findings));
  findings.push(...checkRepoRoutes(apis.map((api) => toRoutes(api, configFile))));
  const declared = entries.map((entry) => entry.name);
  return { configFound: true, configFile, declared, apis, files: prefixFiles(apis), findings };
}

/**
 * One spec without a repo config, with defaults: API named after `info.title` (else the file), gateway
 * `gateway`, mesh `default`, service named after the API on port 80.
 */
export async function renderSpec(
  source: FileSource,
  entry: string,
  options: RenderRepoOptions = {},
): Promise<RenderRepoResult> {
  const spec = await (options.loadSpec ?? loadSpec)(source, entry);
  const { target, parentRef } = options.overrides ?? {};
  const bare: ApiConfig = {
    name: nameFromSpec(spec),
    spec: entry,
    ...(target ? { target } : {}),
    ...(target === 'gateway-api' && parentRef ? { parentRef } : {}),
  };
  const api = renderOne(spec, bare, options, undefined, undefined);
  return { configFound: false, declared: [], apis: [api], files: prefixFiles([api]), findings: api.findings };
}

function renderOne(
  spec: LoadedSpec,
  entry: ApiConfig,
  options: RenderRepoOptions,
  defaults: XKumaRoot | undefined,
  configIndex: number | undefined,
): RenderedRepoApi {
  const format = options.format ?? 'k8s';
  const api = applyOverrides(entry, options.overrides ?? {}, format);
  const result = renderApi({
    spec,
    api,
    format,
    mesh: options.mesh ?? 'default',
    zoneOrigin: options.zoneOrigin ?? false,
    ...(defaults ? { defaults } : {}),
  });
  const header = {
    spec: entry.spec,
    ...(options.repo ? { repo: options.repo } : {}),
    ...(options.commit ? { commit: options.commit } : {}),
  };
  // A document without `info`/`paths` renders to nothing: say why instead of an empty success.
  const findings = [...spec.findings, ...findMissingRoots(spec), ...result.findings];
  let files: ManifestFile[] = [];
  try {
    files = serializeResources([...result.resources, ...result.manifests], format, header);
  } catch (error) {
    if (!(error instanceof YamlParityError)) throw error;
    findings.push(unwritableFinding(spec, result.operations, error));
  }
  return {
    name: api.name,
    api,
    ...(configIndex === undefined ? {} : { configIndex }),
    ...(defaults ? { defaults } : {}),
    spec,
    resources: result.resources,
    manifests: result.manifests,
    operations: result.operations,
    files,
    findings,
  };
}

function toRoutes(api: RenderedRepoApi, configFile: SourceFile): RepoApiRoutes {
  return {
    name: api.name,
    gateway: routeGateway(api.api),
    hostnames: api.api.hostnames ?? [],
    resources: [...api.resources, ...api.manifests],
    operations: api.operations,
    locateOperation: (pointer) => api.spec.locate(pointer),
    locateApi: () => ({ file: configFile.path, ...configFile.locate(`/apis/${api.configIndex ?? 0}`) }),
    locateGatewayPolicy: (kind) => locateRootSetting(api, configFile, replacedOnMerge[kind] ?? ''),
  };
}

function prefixFiles(apis: RenderedRepoApi[]): ManifestFile[] {
  return apis.flatMap((api) => api.files.map((file) => ({ ...file, path: `${api.name}/${file.path}` })));
}
