/**
 * Conformance of the Gateway API target's validator with the upstream projects' own verdicts
 * (test/gateway-api-corpus, extracted by scripts/import-gateway-api-corpus.mjs at the vendored CRDs' tags):
 *
 * - Gateway API v1.6.1: its standard examples and conformance manifests must be accepted, its
 *   `hack/invalid-examples` (the CRD validation test: the API server refuses each) must be rejected.
 * - Envoy Gateway v1.9.0: the HTTPRoutes and policies of its translator tests, with the verdict of their golden
 *   status. Those tests feed the translator directly, without the API server, so some inputs they accept are
 *   ones the API server refuses (listed in `admissionRejects`, each checked by hand). Their rejections are
 *   classified by message: either we model the check (then we must reject too) or it depends on cluster state or
 *   resources we do not see (`notModelled`, with the reason). An unclassified message fails the test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { GatewayApiProblem } from '../../shared/core/gateway-api/validate/index.js';
import { validateGatewayApiResources } from '../../shared/core/gateway-api/validate/index.js';

interface CorpusCase {
  source: string;
  expect: 'accept' | 'reject';
  messages?: string[];
  alsoIn?: string[];
  resource: {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec: Record<string, unknown>;
  };
}

function load(name: string): CorpusCase[] {
  return parse(readFileSync(`test/gateway-api-corpus/${name}.yaml`, 'utf8')).cases;
}

/** kubectl applies a manifest without a namespace to `default`. */
function validate({ resource }: CorpusCase): GatewayApiProblem[] {
  return validateGatewayApiResources([
    {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      name: resource.metadata?.name ?? '',
      namespace: resource.metadata?.namespace ?? 'default',
      ...(resource.metadata?.labels ? { labels: resource.metadata.labels } : {}),
      spec: resource.spec,
    },
  ]);
}

const summary = (problems: GatewayApiProblem[]) => problems.map((p) => `${p.path}: ${p.rule}: ${p.message}`);

describe('Gateway API v1.6.1 examples', () => {
  const cases = load('gateway-api');
  /** Accepted upstream, rejected here on purpose. */
  const deliberate: Record<string, string> = {
    'conformance/tests/httproute-retry.yaml#0':
      '`rules[].retry` is an experimental-channel field; we validate against the standard channel',
  };

  it('accepts every standard example and conformance manifest (but the listed experimental one)', () => {
    const wrong = cases
      .filter((c) => c.expect === 'accept')
      .flatMap((c) => {
        const problems = validate(c);
        if (deliberate[c.source])
          return problems.length ? [] : [`${c.source}: now accepted, drop it from the list`];
        return problems.length ? [`${c.source}: ${summary(problems).join('; ')}`] : [];
      });
    expect(wrong).toEqual([]);
    expect(cases.filter((c) => c.expect === 'accept').length).toBeGreaterThan(200);
  });

  it('rejects every invalid example of their CRD validation test', () => {
    const rejects = cases.filter((c) => c.expect === 'reject');
    expect(rejects.length).toBe(21);
    expect(rejects.filter((c) => validate(c).length === 0).map((c) => c.source)).toEqual([]);
  });

  it('names the field each invalid example is about', () => {
    const byFile = (file: string) => {
      const found = cases.find((c) => c.source.startsWith(`hack/invalid-examples/standard/${file}`));
      if (!found) throw new Error(`no case ${file}`);
      return validate(found).map((p) => p.path);
    };
    expect(byFile('httproute/invalid-method.yaml')).toContain('spec.rules[0].matches[0].method');
    expect(byFile('httproute/httproute-portless-service.yaml')).toContain('spec.rules[0].backendRefs[0]');
    expect(byFile('httproute/invalid-request-redirect-with-backendref.yaml')).toContain('spec.rules[0]');
    expect(byFile('referencegrant/missing-from.yaml')).toContain('spec.from');
  });
});

describe('Envoy Gateway v1.9.0 translator tests', () => {
  const cases = load('envoy-gateway');
  const testdata = 'internal/gatewayapi/testdata/';

  /**
   * Accepted by the translator test, refused by the API server (so by us): the test inputs skip admission.
   * Keys are sources without the testdata folder; every entry was read against the CRD.
   */
  const admissionRejects: Record<string, string> = {
    'backendtrafficpolicy-dns-lookup-family.in.yaml#securityPolicies/envoy-gateway/policy-for-gateway-1':
      'upper-case field name (`Kind`): Go decodes case-insensitively, the API server does not',
    'backendtrafficpolicy-status-fault-injection.in.yaml#backendTrafficPolicies/envoy-gateway/policy-for-gateway':
      'abort.httpStatus below the schema minimum 200',
    'backendtrafficpolicy-status-fault-injection.in.yaml#backendTrafficPolicies/default/policy-for-route':
      'fixedDelay does not match the duration pattern',
    'backendtrafficpolicy-status-fault-injection.in.yaml#backendTrafficPolicies/default/policy-for-grpcroute':
      'fixedDelay does not match the duration pattern',
    'backendtrafficpolicy-with-preconnect.in.yaml#backendTrafficPolicies/envoy-gateway/policy-for-gateway':
      'CEL: predictivePercent needs a RoundRobin or Random load balancer',
    'backendtrafficpolicy-with-preconnect.in.yaml#backendTrafficPolicies/default/policy-for-route':
      'CEL: predictivePercent needs a RoundRobin or Random load balancer',
    'backendtrafficpolicy-with-retries.in.yaml#backendTrafficPolicies/envoy-gateway/policy-for-gateway':
      '`backoff` for `backOff` (case)',
    'backendtrafficpolicy-with-retries.in.yaml#backendTrafficPolicies/default/policy-for-route-1':
      '`backoff` for `backOff` (case)',
    'clienttrafficpolicy-headers-add-if-absent.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-1':
      'duplicate keys in a list-type map',
    'clienttrafficpolicy-headers.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-1':
      'duplicate keys in list-type maps and sets',
    'clienttrafficpolicy-http-health-check.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-1':
      '`Path` for `path` (case)',
    'clienttrafficpolicy-mtls-cert-bundle-both-valid.in.yaml#clientTrafficPolicies/default/target-gateway-1':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-cert-bundle.in.yaml#clientTrafficPolicies/default/target-gateway-1':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-clustertrustbundle.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-1':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-clustertrustbundle.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-2':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-forward-client-cert-custom-data.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-1':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-forward-client-cert-custom-data.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-2':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'clienttrafficpolicy-mtls-forward-client-cert.in.yaml#clientTrafficPolicies/envoy-gateway/target-gateway-2':
      'CEL: certDetailsToAdd with a mode other than AppendForward/SanitizeSet',
    'gateway-tls-frontend-backend.in.yaml#httpRoutes/default/invalid-gateway-backend-client-cert-no-fallback':
      'a hostname outside the hostname pattern',
    'httproute-retry.in.yaml#httpRoutes/default/httproute-1': 'experimental-channel field `rules[].retry`',
    'httproute-retry.in.yaml#backendTrafficPolicies/envoy-gateway/policy-for-gateway': '`backoff` (case)',
    'httproute-retry.in.yaml#backendTrafficPolicies/default/policy-for-route': '`backoff` (case)',
    'httproute-with-cors-filter.in.yaml#httpRoutes/default/httproute-cors-wildcard':
      "CEL: allowMethods has '*' beside other methods",
    'httproute-with-header-filter-duplicate-add-multiple-filters.in.yaml#httpRoutes/default/httproute-1':
      'CEL: RequestHeaderModifier filter repeated',
    'httproute-with-header-filter-duplicate-adds.in.yaml#httpRoutes/default/httproute-1':
      'duplicate keys in a list-type map',
    'httproute-with-header-filter-duplicate-remove-multiple-filters.in.yaml#httpRoutes/default/httproute-1':
      'CEL: RequestHeaderModifier filter repeated',
    'httproute-with-header-filter-duplicate-removes.in.yaml#httpRoutes/default/httproute-1':
      'duplicate items in a list-type set',
    'httproute-with-invalid-backend-ref-no-port.in.yaml#httpRoutes/default/httproute-1':
      'CEL: a Service backendRef needs a port',
    'httproute-with-mirror-filter-service-no-port.in.yaml#httpRoutes/default/httproute-1':
      'CEL: a Service backendRef needs a port',
    'httproute-with-query-match-diff-number.in.yaml#httpRoutes/default/httproute-2':
      'a number where the schema says string',
    'httproute-with-query-match-diff-type.in.yaml#httpRoutes/default/httproute-2':
      'a number where the schema says string',
    'httproute-with-response-header-filter-adds.in.yaml#httpRoutes/default/httproute-1':
      'deliberately stricter: a header added twice (case-insensitively) is dropped by Envoy Gateway without a word',
    'httproute-with-response-header-filter-duplicate-add-multiple-filters.in.yaml#httpRoutes/default/httproute-1':
      'CEL: ResponseHeaderModifier filter repeated',
    'httproute-with-response-header-filter-duplicate-adds.in.yaml#httpRoutes/default/httproute-1':
      'duplicate keys in a list-type map',
    'httproute-with-response-header-filter-duplicate-remove-multiple-filters.in.yaml#httpRoutes/default/httproute-1':
      'CEL: ResponseHeaderModifier filter repeated',
    'httproute-with-response-header-filter-duplicate-removes.in.yaml#httpRoutes/default/httproute-1':
      'duplicate items in a list-type set',
    'mergebackends-http-demerge-session-persistence.in.yaml#httpRoutes/default/http-route-1':
      'experimental-channel field `rules[].sessionPersistence`',
    'securitypolicy-with-authorization-geoip.in.yaml#securityPolicies/default/geoip-policy':
      'a three-letter country where the schema wants two',
    'securitypolicy-with-extauth-backendref.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-extauth-backendrefs.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-extauth-path-override.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-extauth-serviceimport-retry.in.yaml#securityPolicies/default/policy-for-http-route-1':
      'baseInterval does not match the duration pattern',
    'securitypolicy-with-extauth-serviceimport-retry.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-extauth-serviceimport.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-extauth-with-backendtlspolicy.in.yaml#securityPolicies/default/policy-for-gateway':
      'upper-case field names (case)',
    'securitypolicy-with-extauth.in.yaml#securityPolicies/default/policy-for-gateway-1':
      'upper-case field names (case)',
    'securitypolicy-with-merge-needs-fieldowner.in.yaml#securityPolicies/envoy-gateway/policy-for-gateway':
      'contextExtensions valueRef without its required group and kind',
    'securitypolicy-with-merge-needs-fieldowner.in.yaml#securityPolicies/default/policy-for-route':
      'contextExtensions valueRef without its required group and kind',
  };

  /** Envoy Gateway's rejections by message: whether we model the check, and why not when we do not. */
  const classes: { match: RegExp; modelled: boolean; why: string }[] = [
    { match: /regex ".*" is invalid/, modelled: true, why: 'RE2 compile of route and rate-limit regexes' },
    {
      match: /HeaderModifier [Ff]ilter cannot|did not provide valid configuration|EarlyRequestHeaders cannot/,
      modelled: true,
      why: 'header names and values (schema, isModifiableHeader, HeaderValueRegexp)',
    },
    {
      match:
        /^UnsupportedValue: (Hostname ".*" is invalid|Rewrite path type|ReplaceFullPath cannot|ReplacePrefixMatch must|Scheme: |Status code )/,
      modelled: true,
      why: 'schema and CEL rules of URLRewrite/RequestRedirect',
    },
    { match: /rateLimit|RateLimit: /, modelled: true, why: 'local rate-limit rules, selectors' },
    {
      match:
        /invalid (BufferLimit|MaxConnections|MaxParallelRetries|MaxRequestsPerConnection|TableSize|ConnectTimeout|CloseDelay|MaxConnectionDuration|HTTP RequestReceivedTimeout) value/,
      modelled: true,
      why: 'schema minimums, maximums and patterns',
    },
    { match: /Retry: (baseInterval|maxInterval)/, modelled: true, why: 'retry back-off intervals' },
    { match: /a valid port number corresponding to a port on the Service/, modelled: true, why: 'CEL: port' },
    {
      match: /RequestMirror filter cannot be used when the rule also configures a RequestRedirect/,
      modelled: true,
      why: 'mirror with redirect',
    },
    { match: /^Conflicted: /, modelled: false, why: 'another policy already targets it (cluster state)' },
    {
      match: /^TargetNotFound: /,
      modelled: false,
      why: 'the targeted section does not exist (cluster state)',
    },
    {
      match: /^(NoMatchingParent|NotAllowedByListeners|NoMatchingListenerHostname): /,
      modelled: false,
      why: "the parent Gateway's listeners (another resource)",
    },
    {
      match:
        /not found|does not exist|not permitted by any ReferenceGrant|ExternalName|can't find the|client secret not found|failed to get certificate|no valid certificates|invalid crl/,
      modelled: false,
      why: 'referenced Services, Secrets, ConfigMaps and their content (cluster state)',
    },
    { match: /openid-configuration/, modelled: false, why: 'OIDC discovery fetched at run time' },
    { match: /duplicated API key/, modelled: false, why: 'the content of the API key Secret' },
    {
      match: /clientIPGeoLocations requires|clientIPGeoLocations does not support/,
      modelled: false,
      why: 'ClientTrafficPolicy/EnvoyProxy settings of the gateway (other resources)',
    },
    {
      match: /applied to multiple http \(non https\) listeners|http10 default host on listener/,
      modelled: false,
      why: "the gateway's listeners (another resource)",
    },
    {
      match:
        /ExtensionRef: unknown kind|HTTPRouteFilter|multiple urlRewrite filters|ReplaceRegexMatch|PathRegex|Header must be set when rewrite path type|DirectResponse/,
      modelled: false,
      why: "Envoy Gateway's HTTPRouteFilter extension objects, resolved through ExtensionRef (the one rule with two direct URLRewrite filters is caught by CEL)",
    },
    {
      match: /is out of range|bandwidth limit of|unsupported cipher suite|requires caCertificateRefs/,
      modelled: false,
      why: 'value ranges checked in Go on fields the Gateway API target does not emit (buffer sizes, bandwidth, HTTP/2 windows, TLS)',
    },
    {
      match: /Only authorization is supported for TCP/,
      modelled: false,
      why: 'TCPRoute targets (not emitted)',
    },
  ];
  const classify = (c: CorpusCase) => {
    const found = (c.messages ?? []).map((message) => classes.find((k) => k.match.test(message)));
    return found.includes(undefined) ? undefined : found;
  };

  it('accepts what the translator accepts, but for the listed inputs the API server would refuse', () => {
    const wrong = cases
      .filter((c) => c.expect === 'accept')
      .flatMap((c) => {
        const key = c.source.replace(testdata, '');
        const problems = validate(c);
        if (admissionRejects[key])
          return problems.length ? [] : [`${key}: now accepted, drop it from the list`];
        return problems.length ? [`${key}: ${summary(problems).join('; ')}`] : [];
      });
    expect(wrong).toEqual([]);
  });

  it('knows why for every rejection, and rejects every one it models', () => {
    const unclassified = cases.filter((c) => c.expect === 'reject' && !classify(c)).map((c) => c.source);
    expect(unclassified).toEqual([]);
    const missed = cases
      .filter((c) => c.expect === 'reject' && classify(c)?.every((k) => k?.modelled))
      .filter((c) => validate(c).length === 0)
      .map((c) => `${c.source}: ${c.messages?.join('; ')}`);
    expect(missed).toEqual([]);
  });

  it('reports the agreement (N/M) honestly', () => {
    const agree = cases.filter((c) => (validate(c).length ? 'reject' : 'accept') === c.expect).length;
    const rejects = cases.filter((c) => c.expect === 'reject');
    const modelled = rejects.filter((c) => classify(c)?.every((k) => k?.modelled)).length;
    console.log(
      `Envoy Gateway corpus: ${agree}/${cases.length} verdicts agree; ${rejects.length} rejections, ` +
        `${modelled} of them by checks we model; ${Object.keys(admissionRejects).length} accepted inputs the API server refuses`,
    );
    expect(agree).toBeGreaterThan(cases.length * 0.85);
  });
});
