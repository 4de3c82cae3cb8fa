/**
 * Use case: render the Kuma manifests of every API of a repo (from its `.kuma-api-forge.yaml`), or of one bare
 * spec. The CLI (`render`), the PR preview and the deploy all call this, so they produce the same bytes.
 *
 * Service namespace: on Kubernetes a MeshService reference without a namespace would mean `kuma-system`, which
 * is never right, so an API whose config gives no `service.namespace` gets `default` (the Kubernetes default
 * namespace), for the CLI and the App alike. Universal has no namespaces.
 * @module
 */
import { resolveApiTarget } from '../core/config/api-target.js';
import { parseRepoConfig, repoConfigFile } from '../core/config/repo-config.js';
import { locateRootSetting } from '../core/deploy/tenancy-locator.js';
import type { Finding } from '../core/findings.js';
import type { ManifestResource } from '../core/gateway-api/edge.js';
import { defaultSplit } from '../core/kuma/render/build-route-parts.js';
import { checkRepoRoutes, type RepoApiRoutes } from '../core/kuma/render/check-repo-routes.js';
import {
  type ApiConfig,
  type ManifestFile,
  type ManifestFormat,
  type ParentGatewayRef,
  type RenderTargetName,
  renderApi,
  serializeResources,
  type XKumaRoot,
} from '../core/kuma/render/index.js';
import { buildName } from '../core/kuma/render/names.js';
import type { OperationRoute } from '../core/kuma/render/render-api.js';
import { replacedOnMerge } from '../core/kuma/render/shared-policy-keys.js';
import { checkXKumaValue } from '../core/kuma/render/x-kuma.js';
import type { KumaResource } from '../core/kuma/resource.js';
import { loadSourceFile, loadSpec } from '../core/spec/load-spec.js';
import type { LoadedSpec, SourceFile } from '../core/spec/types.js';
import { YamlParityError } from '../core/yaml-output.js';
import type { FileSource } from '../ports/file-source.js';

/** Namespace of the backing MeshService on Kubernetes when the config names none. */
export const defaultServiceNamespace = 'default';

/** Settings that win over every API's config (CLI flags). */
export interface ApiOverrides {
  /** Render every API for this target (api-target.ts); `parentRef` names its Gateway on gateway-api. */
  target?: RenderTargetName;
  parentRef?: ParentGatewayRef;
  gateway?: string;
  hostnames?: string[];
  service?: { name?: string; namespace?: string; port?: number };
}

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
  const loaded = await loadSourceFile(source, repoConfigFile);
  const empty = { apis: [], files: [], declared: [] };
  if (loaded === undefined) return { configFound: false, ...empty, findings: [] };
  if (!('path' in loaded)) return { configFound: true, ...empty, findings: loaded.findings };
  const configFile: SourceFile = loaded;
  const { config, findings } = parseRepoConfig(configFile);
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

/** Whether the spec's entry file itself does not exist (as opposed to a broken `$ref` inside it). */
export function isMissingEntry(spec: LoadedSpec): boolean {
  return (
    !spec.bundle &&
    spec.findings.some((finding) => finding.id === 'file-not-found' && finding.file === spec.entry)
  );
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
  const findings = [...spec.findings, ...result.findings];
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
    spec,
    resources: result.resources,
    manifests: result.manifests,
    operations: result.operations,
    files,
    findings,
  };
}

/**
 * Output YAML parsers would read differently is never written (see yaml-output.ts). What gets here is text no
 * UTF-8 file can hold, a lone surrogate from a `\uD800`-style escape: reported on the operation that carries it.
 */
function unwritableFinding(spec: LoadedSpec, operations: OperationRoute[], error: YamlParityError): Finding {
  const culprit = operations.find((operation) => /[\uD800-\uDFFF]/u.test(operation.operation));
  return {
    kind: 'validation',
    id: 'kuma-output-unwritable',
    severity: 'error',
    message: `the rendered manifests cannot be written as YAML every parser reads alike (${error.message}); nothing is rendered for this API`,
    ...spec.locate(culprit?.pointer ?? ''),
    ...(culprit ? { operation: culprit.operation } : {}),
  };
}

function applyOverrides(entry: ApiConfig, overrides: ApiOverrides, format: ManifestFormat): ApiConfig {
  const service = { ...entry.service, ...overrides.service };
  if (format === 'k8s' && !service.namespace) service.namespace = defaultServiceNamespace;
  return {
    ...entry,
    service,
    ...(overrides.gateway && entry.target !== 'gateway-api' ? { gateway: overrides.gateway } : {}),
    ...(overrides.hostnames ? { hostnames: overrides.hostnames } : {}),
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

/**
 * The gateway an API's routes are on, as the repo and tenancy checks compare it: the MeshGateway's name, or for
 * gateway-api the parent Gateway as `namespace/name` (a slash no MeshGateway name has).
 */
export function routeGateway(api: ApiConfig): string {
  if (api.target !== 'gateway-api' || !api.parentRef) return api.gateway ?? 'gateway';
  const namespace =
    api.parentRef.namespace ?? api.routeNamespace ?? api.service?.namespace ?? defaultServiceNamespace;
  return `${namespace}/${api.parentRef.name}`;
}

function prefixFiles(apis: RenderedRepoApi[]): ManifestFile[] {
  return apis.flatMap((api) => api.files.map((file) => ({ ...file, path: `${api.name}/${file.path}` })));
}

/** A bare spec's API is named after its title (else its file), so resources read `users-…`, not `openapi-…`. */
function nameFromSpec(spec: LoadedSpec): string {
  const title = (spec.bundle?.info as { title?: unknown } | undefined)?.title;
  const fromTitle = typeof title === 'string' ? buildName(title.replace(/\bapi\b/gi, '')) : '';
  if (fromTitle && fromTitle !== 'unnamed') return fromTitle.slice(0, 40).replace(/-+$/, '');
  const file = spec.entry.slice(spec.entry.lastIndexOf('/') + 1);
  return buildName(file.replace(/\.(ya?ml|json)$/i, ''));
}

/** `defaults` in the repo config take the keys of a root x-kuma block. */
function checkDefaults(file: SourceFile, value: unknown, pointer: string): Finding[] {
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
function checkServiceVersions(file: SourceFile, entry: ApiConfig, index: number): Finding | undefined {
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
