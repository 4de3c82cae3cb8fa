import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/core/findings.js';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { buildSecurityPolicies } from '../../../shared/core/gateway-api/security-policy.js';
import { validateGatewayApiResources } from '../../../shared/core/gateway-api/validate/index.js';
import { buildEdgeInput, routeOf, specOf } from './security-fixtures.js';

const specOfOptional = (resource: ManifestResource | undefined) => (resource ? specOf(resource) : undefined);

/** A spec: header lines, then `paths:` with the given path lines, then components. */
const spec = (paths: string[], components: string[] = [], root: string[] = []) => [
  'openapi: 3.0.3',
  'info: {title: pets, version: "1"}',
  ...root,
  'paths:',
  ...paths.map((line) => `  ${line}`),
  'components:',
  '  securitySchemes:',
  ...components.map((line) => `    ${line}`),
];

const ok = '{responses: {"200": {description: ok}}}';
const bearer = 'bearer: {type: http, scheme: bearer}';
const auth = (jwksUri = 'https://idp.example.com/jwks', extra = '') => [
  'x-kuma:',
  '  auth:',
  `    bearer: {issuer: "https://idp.example.com", jwksUri: "${jwksUri}"${extra}}`,
];

/** Every rendered policy must validate against Envoy Gateway's CRD: nothing we emit is rejected by the API server. */
function render(input: Parameters<typeof buildSecurityPolicies>[0]) {
  const output = buildSecurityPolicies(input);
  expect(validateGatewayApiResources(output.resources)).toEqual([]);
  return output;
}

const policyFor = (resources: ManifestResource[], route: string) =>
  specOfOptional(resources.find((resource) => resource.name === route));
const byId = (findings: Finding[], id: string) => findings.filter((finding) => finding.id === id);

describe('JWT from x-kuma.auth', () => {
  it('renders remoteJWKS over https for the routes that require the scheme, none for public ones', async () => {
    const input = await buildEdgeInput(
      spec(
        [
          '/pets:',
          `  get: ${ok}`,
          `  post: {security: [{bearer: []}], responses: {"200": {description: ok}}}`,
          '/health:',
          `  get: {security: [], responses: {"200": {description: ok}}}`,
          '/maybe:',
          `  get: {security: [{}, {bearer: []}], responses: {"200": {description: ok}}}`,
        ],
        [bearer],
        [...auth('https://idp.example.com/jwks', ', audiences: [pets]'), 'security: [{bearer: []}]'],
      ),
    );
    const { resources, findings } = render(input);
    expect(findings).toEqual([]);
    const secured = routeOf(input, 'POST /pets');
    expect(routeOf(input, 'GET /pets')).toBe(secured);
    expect(resources.map((resource) => resource.name)).toEqual([secured.name]);
    expect(resources[0]).toMatchObject({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      namespace: 'pets',
      labels: input.labels,
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: secured.name }],
        jwt: {
          providers: [
            {
              name: 'bearer',
              issuer: 'https://idp.example.com',
              audiences: ['pets'],
              remoteJWKS: { uri: 'https://idp.example.com/jwks' },
              // Only the header the bearer scheme names: not Envoy's default access_token query parameter too.
              extractFrom: { headers: [{ name: 'Authorization', valuePrefix: 'Bearer ' }] },
            },
          ],
        },
      },
    });
    // security: [] and an optional requirement ({}) are public: their routes get no policy at all.
    expect(routeOf(input, 'GET /health')).not.toBe(secured);
    expect(routeOf(input, 'GET /maybe')).not.toBe(secured);
  });

  it('attack: an http:// JWKS URI is an error on the jwksUri line and nothing is rendered', async () => {
    const lines = spec(
      ['/pets:', `  get: ${ok}`],
      [bearer],
      [...auth('http://idp.example.com/jwks'), 'security: [{bearer: []}]'],
    );
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toEqual([]);
    const [finding] = byId(findings, 'gateway-api-jwks-insecure');
    expect(finding).toMatchObject({
      severity: 'error',
      pointer: '/x-kuma/auth/bearer/jwksUri',
      line: lines.indexOf(lines.find((l) => l.includes('jwksUri'))!) + 1,
    });
    expect(finding!.message).toContain('plain http');
    expect(finding!.message).toContain('GET /pets gets no authentication');
  });

  it('attack: a scheme without x-kuma.auth is reported on the scheme and leaves the route open, never a partial policy', async () => {
    const lines = spec(
      ['/pets:', `  get: ${ok}`],
      [bearer, 'other: {type: http, scheme: bearer}'],
      [...auth(), 'security: [{bearer: [], other: []}]'],
    );
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'kuma-auth-not-configured',
        severity: 'warning',
        pointer: '/components/securitySchemes/other',
        line: lines.findIndex((l) => l.includes('other: {type')) + 1,
        message: expect.stringContaining('add x-kuma.auth.other with issuer and jwksUri'),
      }),
    ]);
  });

  it('attack: a requirement naming an undeclared scheme is an error', async () => {
    const lines = spec(
      ['/pets:', `  get: {security: [{ghost: []}], responses: {"200": {description: ok}}}`],
      [bearer],
      auth(),
    );
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toEqual([]);
    expect(byId(findings, 'gateway-api-auth-unknown-scheme')).toEqual([
      expect.objectContaining({
        severity: 'error',
        operation: 'GET /pets',
        pointer: '/paths/~1pets/get/security',
        line: lines.findIndex((line) => line.includes('ghost')) + 1,
        message: expect.stringContaining('"ghost" is not declared'),
      }),
    ]);
  });

  it('attack: a provider name or issuer Envoy Gateway rejects is an error, not a policy the controller refuses', async () => {
    const lines = [
      'openapi: 3.0.3',
      'info: {title: pets, version: "1"}',
      'x-kuma:',
      '  auth:',
      '    .bearer: {issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks"}',
      '    second: {issuer: "urn:%%bad", jwksUri: "https://idp.example.com/jwks"}',
      'paths:',
      `  /a: {get: {security: [{.bearer: []}], responses: {"200": {description: ok}}}}`,
      `  /b: {get: {security: [{second: []}], responses: {"200": {description: ok}}}}`,
      'components:',
      '  securitySchemes:',
      '    .bearer: {type: http, scheme: bearer}',
      '    second: {type: http, scheme: bearer}',
    ];
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toEqual([]);
    expect(byId(findings, 'gateway-api-jwt-invalid').map((f) => [f.pointer, f.line])).toEqual([
      ['/x-kuma/auth/.bearer', 5],
      ['/x-kuma/auth/second/issuer', 6],
    ]);
  });

  it('attack: schemes named like Object.prototype members are not found on it (no config, no provider)', async () => {
    const lines = spec(
      ['/pets:', `  get: ${ok}`],
      ['constructor: {type: apiKey, in: header, name: X-Key}', 'toString: {type: http, scheme: bearer}'],
      [...auth(), 'security: [{constructor: [], toString: []}]'],
    );
    const apiKeys = { other: { secretRefs: [{ name: 'other-keys' }] } };
    const { resources, findings } = render(await buildEdgeInput(lines, { api: { apiKeys } }));
    expect(resources).toEqual([]);
    expect(findings.map((finding) => [finding.id, finding.pointer])).toEqual([
      ['gateway-api-apikey-not-configured', '/components/securitySchemes/constructor'],
      ['kuma-auth-not-configured', '/components/securitySchemes/toString'],
    ]);
  });

  it('forward: false cannot be said to Envoy Gateway: a warning naming the target that can, the JWT still checked', async () => {
    const lines = spec(
      ['/pets:', `  get: ${ok}`],
      [bearer],
      [...auth('https://idp.example.com/jwks', ', forward: false'), 'security: [{bearer: []}]'],
    );
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toHaveLength(1);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'x-kuma-target-unsupported',
        severity: 'warning',
        pointer: '/x-kuma/auth/bearer/forward',
        message: expect.stringContaining('use target: kuma-gateway'),
      }),
    ]);
  });

  it('a provider from the config defaults is reported on the scheme (the spec has no x-kuma.auth)', async () => {
    const input = await buildEdgeInput(
      spec(['/pets:', `  get: ${ok}`], [bearer], ['security: [{bearer: []}]']),
      {
        defaults: {
          auth: { bearer: { issuer: 'https://idp.example.com', jwksUri: 'http://idp.example.com/jwks' } },
        },
      },
    );
    const { resources, findings } = render(input);
    expect(resources).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-jwks-insecure',
        pointer: '/components/securitySchemes/bearer',
        message: expect.stringContaining('from the config defaults'),
      }),
    ]);
  });

  it('scopes become authorization rules: one Allow per alternative, the unscoped one by its issuer', async () => {
    const lines = [
      'openapi: 3.0.3',
      'info: {title: pets, version: "1"}',
      'x-kuma:',
      '  auth:',
      '    oauth: {issuer: "https://login.example.com", jwksUri: "https://login.example.com/keys"}',
      '    bearer: {issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks"}',
      'paths:',
      `  /pets: {get: {security: [{oauth: [pets.read, pets.list]}, {bearer: []}], responses: {"200": {description: ok}}}}`,
      'components:',
      '  securitySchemes:',
      '    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://login.example.com/token", scopes: {pets.read: r, pets.list: l}}}}',
      `    ${bearer}`,
    ];
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(findings).toEqual([]);
    const policy = specOf(resources[0]!);
    expect(policy.jwt?.providers.map((p) => p.name)).toEqual(['bearer', 'oauth']);
    expect(policy.authorization).toEqual({
      defaultAction: 'Deny',
      rules: [
        { action: 'Allow', principal: { jwt: { provider: 'oauth', scopes: ['pets.read', 'pets.list'] } } },
        {
          action: 'Allow',
          principal: {
            jwt: { provider: 'bearer', claims: [{ name: 'iss', values: ['https://idp.example.com'] }] },
          },
        },
      ],
    });
  });
});

describe('OIDC where the spec says openIdConnect and the config gives a client', () => {
  const oidcSpec = (paths: string[]) =>
    spec(
      paths,
      [
        'login: {type: openIdConnect, openIdConnectUrl: "https://login.example.com/.well-known/openid-configuration"}',
      ],
      ['security: [{login: [profile]}]'],
    );
  const client = { login: { clientId: 'pets-web', clientSecretRef: { name: 'pets-oidc' } } };

  it('renders the login with the issuer from openIdConnectUrl and the secret by name only', async () => {
    const input = await buildEdgeInput(
      oidcSpec(['/pets:', `  get: ${ok}`, '/oauth2/callback:', `  get: ${ok}`, '/logout:', `  get: ${ok}`]),
      { api: { oidc: client } },
    );
    const { resources, findings } = render(input);
    expect(findings).toEqual([]);
    expect(policyFor(resources, routeOf(input, 'GET /pets').name)).toEqual({
      targetRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeOf(input, 'GET /pets').name },
      ],
      oidc: {
        provider: { issuer: 'https://login.example.com' },
        clientID: 'pets-web',
        clientSecret: { name: 'pets-oidc' },
        scopes: ['profile'],
      },
    });
  });

  it('attack: without a client in the config, a finding says what to add', async () => {
    const lines = oidcSpec(['/pets:', `  get: ${ok}`]);
    const { resources, findings } = render(await buildEdgeInput(lines));
    expect(resources).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-oidc-not-configured',
        pointer: '/components/securitySchemes/login',
        message: expect.stringContaining('oidc.login with clientId and clientSecretRef'),
      }),
    ]);
  });

  it('attack: the callback and logout paths not routed to the route are a warning (the login would end in 404)', async () => {
    const input = await buildEdgeInput(oidcSpec(['/pets:', `  get: ${ok}`]), { api: { oidc: client } });
    const { resources, findings } = render(input);
    expect(resources).toHaveLength(1);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-oidc-callback-unrouted',
        severity: 'warning',
        message: expect.stringContaining('GET /oauth2/callback and GET /logout'),
      }),
    ]);
  });

  it('attack: an http issuer, or an oauth2 scheme without an authorization-code flow, is an error and no login', async () => {
    const httpIssuer = await buildEdgeInput(oidcSpec(['/pets:', `  get: ${ok}`]), {
      api: { oidc: { login: { ...client.login, issuer: 'http://login.example.com' } } },
    });
    expect(render(httpIssuer).findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-oidc-invalid',
        severity: 'error',
        message: expect.stringContaining('is not https'),
      }),
    ]);
    const noCodeFlow = await buildEdgeInput(
      spec(
        ['/pets:', `  get: ${ok}`],
        [
          'login: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://login.example.com/token", scopes: {}}}}',
        ],
        ['security: [{login: []}]'],
      ),
      { api: { oidc: client } },
    );
    const { resources, findings } = render(noCodeFlow);
    expect(resources).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-oidc-invalid',
        message: expect.stringContaining('authorizationCode flow'),
      }),
    ]);
  });

  it('attack: oidc and x-kuma.auth for the same scheme: the login wins, and a warning says bearer clients are redirected', async () => {
    const lines = oidcSpec([
      '/pets:',
      `  get: ${ok}`,
      '/oauth2/callback:',
      `  get: ${ok}`,
      '/logout:',
      `  get: ${ok}`,
    ]);
    lines.splice(
      2,
      0,
      'x-kuma:',
      '  auth:',
      '    login: {issuer: "https://login.example.com", jwksUri: "https://login.example.com/keys"}',
    );
    const { resources, findings } = render(await buildEdgeInput(lines, { api: { oidc: client } }));
    expect(Object.keys(specOf(resources[0]!)).sort()).toEqual(['oidc', 'targetRefs']);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-oidc-replaces-jwt',
        severity: 'warning',
        pointer: '/components/securitySchemes/login',
      }),
    ]);
  });

  it('an oauth2 authorization-code scheme takes its endpoints from the flow', async () => {
    const input = await buildEdgeInput(
      spec(
        ['/pets:', `  get: ${ok}`, '/oauth2/callback:', `  get: ${ok}`, '/logout:', `  get: ${ok}`],
        [
          'login: {type: oauth2, flows: {authorizationCode: {authorizationUrl: "https://login.example.com/authorize", tokenUrl: "https://login.example.com/token", scopes: {}}}}',
        ],
        ['security: [{login: []}]'],
      ),
      { api: { oidc: { login: { ...client.login, issuer: 'https://login.example.com' } } } },
    );
    const { resources, findings } = render(input);
    expect(findings).toEqual([]);
    expect(specOf(resources[0]!).oidc?.provider).toEqual({
      issuer: 'https://login.example.com',
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
    });
  });
});

describe('API keys from apiKey schemes, by Secret name', () => {
  const keySpec = (location: string, extraPaths: string[] = [], extraScheme = '') =>
    spec(
      ['/pets:', `  get: ${ok}`, ...extraPaths],
      [`key: {type: apiKey, in: ${location}, name: X-Api-Key${extraScheme}}`],
      ['security: [{key: []}]'],
    );
  const apiKeys = { key: { secretRefs: [{ name: 'pets-keys' }, { name: 'partner-keys' }] } };

  it.each([
    ['header', 'headers'],
    ['query', 'params'],
    ['cookie', 'cookies'],
  ])('in: %s → extractFrom.%s and credentialRefs to the Secrets', async (location, field) => {
    const { resources, findings } = render(await buildEdgeInput(keySpec(location), { api: { apiKeys } }));
    expect(findings).toEqual([]);
    expect(specOf(resources[0]!).apiKeyAuth).toEqual({
      credentialRefs: [{ name: 'pets-keys' }, { name: 'partner-keys' }],
      extractFrom: [{ [field]: ['X-Api-Key'] }],
    });
  });

  it('Swagger 2: securityDefinitions apiKey is rendered, basic is reported as not enforceable', async () => {
    const lines = [
      'swagger: "2.0"',
      'info: {title: pets, version: "1"}',
      'paths:',
      '  /pets: {get: {security: [{key: []}], responses: {"200": {description: ok}}}}',
      '  /admin: {get: {security: [{basic: []}], responses: {"200": {description: ok}}}}',
      'securityDefinitions:',
      '  key: {type: apiKey, in: query, name: api_key}',
      '  basic: {type: basic}',
    ];
    const input = await buildEdgeInput(lines, { api: { apiKeys } });
    const { resources, findings } = render(input);
    expect(resources.map((resource) => [resource.name, specOf(resource).apiKeyAuth?.extractFrom])).toEqual([
      [routeOf(input, 'GET /pets').name, [{ params: ['api_key'] }]],
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'kuma-auth-unenforceable',
        pointer: '/securityDefinitions/basic',
        line: 8,
        message: expect.stringContaining('GET /admin gets no authentication at the gateway'),
      }),
    ]);
  });

  it('attack: without apiKeys in the config, a finding says what to add', async () => {
    const { resources, findings } = render(await buildEdgeInput(keySpec('header')));
    expect(resources).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'gateway-api-apikey-not-configured',
        pointer: '/components/securitySchemes/key',
        message: expect.stringContaining('add apiKeys.key.secretRefs'),
      }),
    ]);
  });

  it('attack: a key literal in the config entry is an error and nothing is rendered from it', async () => {
    const leaked = { key: { secretRefs: [{ name: 'pets-keys' }], keys: ['sk_live_123456'] } } as never;
    const { resources, findings } = render(
      await buildEdgeInput(keySpec('header'), { api: { apiKeys: leaked } }),
    );
    expect(resources).toEqual([]);
    expect(byId(findings, 'gateway-api-apikey-literal')).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('not "keys": keys are never written into git'),
      }),
    ]);
    expect(JSON.stringify(findings)).not.toContain('sk_live_123456');
  });

  it('attack: key literals in the spec (x-kuma, the scheme, a header value) are errors on their lines', async () => {
    const lines = [
      'openapi: 3.0.3',
      'info: {title: pets, version: "1"}',
      'paths:',
      '  /pets:',
      '    get:',
      '      responses: {"200": {description: ok}}',
      '      x-kuma:',
      '        apiKey: sk_live_1',
      '  /cats:',
      '    get:',
      '      responses: {"200": {description: ok}}',
      '      x-kuma:',
      '        requestHeaders: {set: {x-partner-auth: sk_live_2}}',
      'security: [{key: []}]',
      'components:',
      '  securitySchemes:',
      '    key: {type: apiKey, in: header, name: X-Partner-Auth, x-value: sk_live_3}',
    ];
    const { resources, findings } = render(await buildEdgeInput(lines, { api: { apiKeys } }));
    expect(byId(findings, 'gateway-api-apikey-literal').map((f) => [f.line, f.pointer])).toEqual([
      [8, '/paths/~1pets/get/x-kuma/apiKey'],
      [17, '/components/securitySchemes/key/x-value'],
      [13, '/paths/~1cats/get/x-kuma/requestHeaders/set/x-partner-auth'],
    ]);
    expect(JSON.stringify(resources)).not.toMatch(/sk_live/);
  });
});

describe('several schemes: OR of ANDs, as far as a SecurityPolicy can say it', () => {
  const multi = (requirement: string) =>
    buildEdgeInput(
      [
        'openapi: 3.0.3',
        'info: {title: pets, version: "1"}',
        'x-kuma:',
        '  auth:',
        '    bearer: {issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks"}',
        '    partner: {issuer: "https://partner.example.com", jwksUri: "https://partner.example.com/jwks"}',
        'paths:',
        '  /pets:',
        '    get:',
        `      security: ${requirement}`,
        '      responses: {"200": {description: ok}}',
        'components:',
        '  securitySchemes:',
        `    ${bearer}`,
        '    partner: {type: http, scheme: bearer}',
        '    key: {type: apiKey, in: header, name: X-Api-Key}',
        '    login: {type: openIdConnect, openIdConnectUrl: "https://login.example.com/.well-known/openid-configuration"}',
      ],
      {
        api: {
          apiKeys: { key: { secretRefs: [{ name: 'pets-keys' }] } },
          oidc: { login: { clientId: 'web', clientSecretRef: { name: 'web-oidc' } } },
        },
      },
    );

  it('a JWT and an API key together: both checked (each filter must pass)', async () => {
    const { resources, findings } = render(await multi('[{bearer: [], key: []}]'));
    expect(findings).toEqual([]);
    expect(Object.keys(resources[0]!.spec).sort()).toEqual(['apiKeyAuth', 'jwt', 'targetRefs']);
  });

  it('either of two JWT schemes: one policy with both providers (a token valid for either passes)', async () => {
    const { resources, findings } = render(await multi('[{bearer: []}, {partner: []}]'));
    expect(findings).toEqual([]);
    expect(specOf(resources[0]!).jwt?.providers.map((p) => p.name)).toEqual(['bearer', 'partner']);
  });

  it.each([
    ['[{bearer: []}, {key: []}]', 'each must pass'],
    ['[{bearer: [], partner: []}]', 'checks a JWT once per request'],
    ['[{bearer: [], login: []}]', 'either logs the browser in with OIDC or validates a bearer JWT'],
    ['[{key: [admin]}]', 'which an API key does not carry'],
  ])(
    'attack: %s cannot be expressed: an error on the requirement, no authentication rendered',
    async (requirement, reason) => {
      const { resources, findings } = render(await multi(requirement));
      expect(resources).toEqual([]);
      expect(findings).toEqual([
        expect.objectContaining({
          id: 'gateway-api-auth-inexpressible',
          severity: 'error',
          pointer: '/paths/~1pets/get/security',
          line: 10,
          message: expect.stringContaining(reason),
        }),
      ]);
    },
  );
});
