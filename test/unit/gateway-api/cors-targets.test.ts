/**
 * `x-kuma.cors` outside the SecurityPolicy plug-in: the x-kuma lint (any target) refuses what would leak
 * credentials or what no gateway accepts, and the kuma-gateway target, which cannot express CORS, names the one
 * that can. The config's new keys (oidc, apiKeys) refuse secrets written into them.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../../shared/core/config/repo-config.js';
import type { Finding } from '../../../shared/core/findings.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import { validateXKuma } from '../../../shared/core/kuma/render/x-kuma.js';
import { parseSourceFile } from '../../../shared/core/spec/parse-source-file.js';
import { defaultLoadLimits } from '../../../shared/core/spec/types.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const load = (lines: string[]) => loadSpecFromFiles({ 'api.yaml': `${lines.join('\n')}\n` }, 'api.yaml');

/** Root, path item and operation blocks, each line given; the operations are GET and POST /pets, GET /cats. */
const corsSpec = (root: string[], pathItem: string[] = [], operation: string[] = []) => [
  'openapi: 3.0.3',
  'info: {title: pets, version: "1"}',
  ...(root.length > 0 ? ['x-kuma:', ...root.map((line) => `  ${line}`)] : []),
  'paths:',
  '  /pets:',
  ...(pathItem.length > 0 ? ['    x-kuma:', ...pathItem.map((line) => `      ${line}`)] : []),
  '    get:',
  '      responses: {"200": {description: ok}}',
  ...(operation.length > 0 ? ['      x-kuma:', ...operation.map((line) => `        ${line}`)] : []),
  '    post: {responses: {"200": {description: ok}}}',
  '  /cats:',
  '    get: {responses: {"200": {description: ok}}}',
];

describe('x-kuma.cors in the x-kuma lint (every target)', () => {
  it('accepts cors on the root, a path item and an operation', async () => {
    const spec = await load(
      corsSpec(
        ['cors: {origins: ["https://a.example.com"]}'],
        ['cors: {origins: ["*"]}'],
        [
          'cors: {origins: ["https://*.example.com"], credentials: true, maxAge: 10m, methods: [GET], headers: [X-Trace]}',
        ],
      ),
    );
    expect(validateXKuma(spec)).toEqual([]);
  });

  it.each([
    [
      'cors: {origins: ["*"], credentials: true}',
      4,
      'allows every origin, which cannot be combined with credentials',
    ],
    ['cors: {origins: ["https://app.example.com/"]}', 4, 'is not an origin'],
    [
      'cors: {origins: ["https://a.example.com"], credentials: true, headers: ["*"]}',
      4,
      'taken literally by browsers',
    ],
    ['cors: {origins: []}', 4, 'must NOT have fewer than 1 items'],
    [
      'cors: {origins: ["https://a.example.com"], allowCredentials: true}',
      4,
      'unknown key "allowCredentials"',
    ],
    ['cors: {methods: [GET]}', 4, "must have required property 'origins'"],
  ])('attack: %s is x-kuma-invalid on its line', async (line, lineNumber, message) => {
    const findings = validateXKuma(await load(corsSpec([line])));
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'x-kuma-invalid',
        severity: 'error',
        line: lineNumber,
        message: expect.stringContaining(message),
      }),
    ]);
  });
});

describe('x-kuma.cors on target kuma-gateway', () => {
  const render = async (lines: string[], defaults?: Record<string, unknown>) =>
    renderApi({
      spec: await load(lines),
      api: { name: 'pets', spec: 'api.yaml', ...(defaults ? { defaults } : {}) },
    });
  const unsupported = (findings: Finding[]) =>
    findings.filter((finding) => finding.id === 'x-kuma-target-unsupported');

  it('a root block: one warning on its line, naming gateway-api, counting the operations', async () => {
    const { findings, resources } = await render(corsSpec(['cors: {origins: ["https://a.example.com"]}']));
    expect(unsupported(findings)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        line: 4,
        pointer: '/x-kuma/cors',
        message: expect.stringMatching(
          /cannot be expressed on target kuma-gateway.*3 operations.*use target: gateway-api/,
        ),
      }),
    ]);
    // Nothing else changes: the routes are still rendered.
    expect(resources.some((resource) => resource.kind === 'MeshHTTPRoute')).toBe(true);
  });

  it('a path item and an operation block: one warning each, on its own line', async () => {
    const { findings } = await render(
      corsSpec(
        [],
        ['cors: {origins: ["https://a.example.com"]}'],
        ['cors: {origins: ["https://b.example.com"]}'],
      ),
    );
    expect(unsupported(findings).map((finding) => [finding.line, finding.pointer])).toEqual([
      [10, '/paths/~1pets/get/x-kuma/cors'],
      [6, '/paths/~1pets/x-kuma/cors'],
    ]);
  });

  it('cors from the config defaults is reported too', async () => {
    const { findings } = await render(corsSpec([]), { cors: { origins: ['https://a.example.com'] } });
    expect(unsupported(findings)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('(from the config defaults)') }),
    ]);
  });

  it('no cors, no warning', async () => {
    expect(unsupported((await render(corsSpec(['timeout: 5s']))).findings)).toEqual([]);
  });
});

describe('config keys oidc and apiKeys hold Secret names, never secrets', () => {
  const config = (lines: string[]) =>
    parseRepoConfig(
      parseSourceFile(
        '.kuma-api-forge.yaml',
        Buffer.from(`${['apis:', '  - name: pets', '    spec: openapi.yaml', ...lines].join('\n')}\n`),
        defaultLoadLimits,
      ).file!,
    );

  it('accepts Secret references', () => {
    const { config: parsed, findings } = config([
      '    apiKeys: {key: {secretRefs: [{name: pets-keys}]}}',
      '    oidc: {login: {clientId: pets-web, clientSecretRef: {name: pets-oidc}, logoutPath: /logout}}',
    ]);
    expect(findings).toEqual([]);
    expect(parsed?.apis[0]?.apiKeys?.key?.secretRefs).toEqual([{ name: 'pets-keys' }]);
  });

  it.each([
    [
      '    apiKeys: {key: {secretRefs: [{name: pets-keys}], keys: [sk_live_1]}}',
      '/apis/0/apiKeys/key/keys',
      'unknown key "keys"',
    ],
    ['    apiKeys: {key: {value: sk_live_1}}', '/apis/0/apiKeys/key/value', 'unknown key "value"'],
    [
      '    oidc: {login: {clientId: web, clientSecretRef: {name: s}, clientSecret: hunter2}}',
      '/apis/0/oidc/login/clientSecret',
      'unknown key "clientSecret"',
    ],
    [
      '    apiKeys: {key: {secretRefs: [{name: pets-keys, value: sk_live_1}]}}',
      '/apis/0/apiKeys/key/secretRefs/0/value',
      'unknown key "value"',
    ],
  ])('attack: %s is a config-schema error on that key', (line, pointer, message) => {
    const { config: parsed, findings } = config([line]);
    expect(parsed).toBeUndefined();
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'config-schema',
          line: 4,
          pointer,
          message: expect.stringContaining(message),
        }),
      ]),
    );
  });
});
