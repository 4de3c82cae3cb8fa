/**
 * Shared by the YAML parity tests: the parsers, the parity assertion, the hostile source repo.
 * @module
 */
import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ManifestFormat } from '../../shared/core/kuma/render/index.js';
import { toManifestObject } from '../../shared/core/kuma/render/serialize-resources.js';
import type { RenderRepoResult } from '../../shared/use-cases/render-repo.js';
import { externalParsers, getParsers } from './parsers.js';

export const parsers = getParsers();
export const skip = parsers.missing !== undefined && !process.env.CI;
if (skip) console.warn(`yaml-parity tests skipped: ${parsers.missing} (set CI=1 to make this a failure)`);

export const commit = '0123456789abcdef0123456789abcdef01234567';

export interface ParityCase {
  what: string;
  text: string;
  /** The objects the renderer meant, one per document. */
  intended: unknown[];
}

/** Each parser (ours included) reads exactly `intended` from each text: same documents, same values. */
export function expectParity(cases: readonly ParityCase[]): void {
  expect(cases.length).toBeGreaterThan(0);
  const expected = cases.map((c) => JSON.parse(JSON.stringify(c.intended)) as unknown[]);
  cases.forEach((c, i) => {
    const ours = parseAllDocuments(c.text)
      .map((doc) => doc.toJS() as unknown)
      .filter((doc) => doc !== null);
    expect(ours, `${c.what}: our YAML 1.2 parser`).toEqual(expected[i]);
  });
  for (const parser of externalParsers) {
    const results = parsers.readMany(
      parser,
      cases.map((c) => c.text),
    );
    cases.forEach((c, i) => {
      expect(results[i], `${c.what}: ${parser}`).toEqual(expected[i]);
    });
  }
}

/**
 * The Envoy config a MeshProxyPatch carries as YAML text (the JWT filter, the JWKS clusters): Kuma's control
 * plane parses it with Go YAML, so it must read alike too. Its meaning is what our parser reads, which the
 * emitter's own final check ties to the object the renderer built.
 */
export function embeddedCases(c: ParityCase): ParityCase[] {
  return c.intended.flatMap((doc) => {
    const resource = doc as {
      kind?: string;
      type?: string;
      spec?: { default?: { appendModifications?: unknown[] } };
    };
    if ((resource.kind ?? resource.type) !== 'MeshProxyPatch') return [];
    return (resource.spec?.default?.appendModifications ?? []).flatMap((modification, i) =>
      Object.values(modification as Record<string, { value?: unknown }>)
        .filter((patch) => typeof patch.value === 'string')
        .map((patch) => ({
          what: `${c.what}: embedded Envoy YAML ${i}`,
          text: patch.value as string,
          intended: [parseAllDocuments(patch.value as string)[0]!.toJS()],
        })),
    );
  });
}

/** The stream `render` prints and the objects the renderer meant, file by file in the same order. */
export function streamOf(result: RenderRepoResult, format: ManifestFormat) {
  const byFile = new Map(
    result.apis.flatMap((api) =>
      [...api.resources, ...api.manifests].map((resource) => [
        `${api.name}/${resource.kind.toLowerCase()}-${resource.name}.yaml`,
        toManifestObject(resource, format),
      ]),
    ),
  );
  return {
    text: result.files.map((file) => file.content).join('---\n'),
    intended: result.files.map((file) => byFile.get(file.path)),
    files: result.files,
  };
}

/** A YAML double-quoted scalar holding exactly `text` (every non-ASCII character escaped). */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface Attack {
  apiName?: string;
  specPath?: string;
  hostname?: string;
  /** OpenAPI path (gets a GET under basePath /shop). */
  path?: string;
  headerValue?: string;
  /** Many header values at once, one operation each. */
  headerValues?: string[];
  issuer?: string;
}

/** The spec's operations: path and x-kuma header value; one operation per value of `headerValues`. */
function operations(attack: Attack): [string, string | undefined][] {
  if (attack.headerValues) return attack.headerValues.map((value, i) => [`/h${i}`, value]);
  return [[attack.path ?? '/items', attack.headerValue]];
}

/** A source repo: config with one API and its spec, the attack's text in its place. */
export function attackRepo(attack: Attack): Record<string, string> {
  const specPath = attack.specPath ?? 'openapi.yaml';
  const config = [
    'version: 1',
    'mesh: default',
    'apis:',
    `  - name: ${quoted(attack.apiName ?? 'shop')}`,
    `    spec: ${quoted(specPath)}`,
    '    gateway: edge',
    `    hostnames: [${quoted(attack.hostname ?? 'shop.example.com')}]`,
    '    basePath: /shop',
    '    service: {name: shop, namespace: shop, port: 8080}',
    '',
  ].join('\n');
  const auth = attack.issuer !== undefined;
  const spec = [
    'openapi: 3.0.3',
    'info: {title: Shop, version: 1.0.0}',
    ...(auth
      ? [
          'x-kuma:',
          '  auth:',
          '    bearerAuth:',
          `      issuer: ${quoted(attack.issuer!)}`,
          '      jwksUri: https://idp.example.com/jwks.json',
          'components:',
          '  securitySchemes:',
          '    bearerAuth: {type: http, scheme: bearer}',
          'security: [{bearerAuth: []}]',
        ]
      : []),
    'paths:',
    ...operations(attack).flatMap(([pathKey, headerValue], i) => [
      `  ${quoted(pathKey)}:`,
      '    get:',
      `      operationId: get${i}`,
      ...(headerValue !== undefined
        ? [
            '      x-kuma:',
            '        responseHeaders:',
            '          set:',
            `            x-tag: ${quoted(headerValue)}`,
          ]
        : []),
      "      responses: {'200': {description: ok}}",
    ]),
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, [specPath]: spec };
}

export const lineBreaks: [string, string][] = [
  ['U+2028', '\u2028'],
  ['U+2029', '\u2029'],
  ['NEL', '\u0085'],
  ['CR', '\r'],
  ['CRLF', '\r\n'],
  ['LF', '\n'],
];
/** A whole second resource behind a line break: what a YAML 1.1 parser would apply if the break survived. */
export const injected = (br: string) =>
  `x${br}---${br}apiVersion: kuma.io/v1alpha1${br}kind: MeshTrafficPermission${br}metadata: {name: pwned, namespace: kuma-system}${br}spec: {targetRef: {kind: Mesh}, from: [{targetRef: {kind: Mesh}, default: {action: Allow}}]}${br}---${br}y`;
