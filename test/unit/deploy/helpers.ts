import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { buildGitBlobSha } from '../../../shared/core/deploy/deploy-paths.js';
import type { CurrentFile } from '../../../shared/core/deploy/plan-deploy.js';
import { renderSource } from '../../../shared/use-cases/preview-deploy.js';

export interface ApiOptions {
  name?: string;
  gateway?: string;
  hostnames?: string[];
  basePath?: string;
  namespace?: string;
  /** OpenAPI paths (each gets a GET). */
  paths?: string[];
  /** More APIs on the same spec: `<name>-2`… under `<basePath>/2`… (default 1). */
  copies?: number;
}

/** A source repo's files: `.kuma-api-forge.yaml` with one API and its spec `openapi.yaml`. */
export function buildSourceFiles(options: ApiOptions = {}): Record<string, string> {
  const name = options.name ?? 'pets';
  const paths = options.paths ?? ['/pets', '/pets/{petId}'];
  const basePath = options.basePath ?? '/pets-api';
  const config = [
    'apis:',
    ...Array.from({ length: options.copies ?? 1 }, (_, i) => [
      `  - name: ${i === 0 ? name : `${name}-${i + 1}`}`,
      '    spec: openapi.yaml',
      `    gateway: ${options.gateway ?? 'edge'}`,
      `    hostnames: [${(options.hostnames ?? ['pets.example.com']).join(', ')}]`,
      `    basePath: ${i === 0 ? basePath : `${basePath}/${i + 1}`}`,
      '    service:',
      `      name: ${name}`,
      `      namespace: ${options.namespace ?? 'pets'}`,
      '      port: 8080',
    ]).flat(),
    '',
  ].join('\n');
  const spec = [
    'openapi: 3.0.3',
    'info: {title: Pets, version: 1.0.0}',
    'paths:',
    ...paths.flatMap((path) => [
      `  ${path}:`,
      '    get:',
      `      operationId: get${path.replace(/[^A-Za-z]/g, '')}`,
      ...(path.includes('{')
        ? ['      parameters:', '        - {name: petId, in: path, required: true, schema: {type: string}}']
        : []),
      "      responses: {'200': {description: ok}}",
    ]),
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, 'openapi.yaml': spec };
}

export async function renderFiles(options: ApiOptions = {}, repo = 'acme/pets') {
  return renderSource(createMemoryFileSource(buildSourceFiles(options)), repo);
}

export const grant = {
  gateways: ['edge'],
  hostnames: ['pets.example.com', '*.pets.example.com'],
  basePaths: ['/pets-api'],
  namespaces: ['pets'],
};

/** What the deploy repo holds after a plan's changes are applied to `current`. */
export function applyChanges(
  current: CurrentFile[],
  changes: { path: string; content: string | null }[],
): CurrentFile[] {
  const files = new Map(current.map((f) => [f.path, f]));
  for (const change of changes) {
    if (change.content === null) files.delete(change.path);
    else
      files.set(change.path, {
        path: change.path,
        sha: buildGitBlobSha(change.content),
        content: change.content,
      });
  }
  return [...files.values()];
}
