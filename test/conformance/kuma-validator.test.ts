/**
 * Conformance with Kuma's own validator tests (kumahq/kuma v2.14.3, extracted into test/kuma-corpus/validator by
 * scripts/import-kuma-corpus.mjs): for every kind the renderer emits, our validator must accept what Kuma's tests
 * accept and reject what they reject, naming the same fields.
 *
 * How a case is run, and why:
 * - Kuma's test decodes the YAML into the spec struct of a resource with no metadata, which Kuma treats as policy
 *   role `system` (`core_model.PolicyRole` of a nil meta); our Universal form (no namespace) has the same role.
 *   MeshHTTPRoute's cases are written as Universal resources (`type`, `mesh`, `name` beside the spec fields):
 *   those three keys are metadata, not spec, as in Kuma's decoding.
 * - Kuma decodes with sigs.k8s.io/yaml, which converts YAML scalars to the type of the target Go field: `- 500`
 *   in a `[]string` becomes "500". We do the same from the CRD schema (a number where the schema says string
 *   becomes a string); without it a number in a string field would be a schema error Kuma never sees.
 * - Agreement on a rejection: every field Kuma names is one we name, and every field our port of the webhook
 *   names is one Kuma names. Our CRD-schema check may name more fields: Kuma's tests run only the webhook's Go
 *   code, while on Kubernetes the API server checks the CRD schema first.
 * - A few of Kuma's field paths are not the fields' real paths (`kumaPathQuirks`); ours are, because they locate
 *   the finding in the user's file. The map rewrites Kuma's to the real path before comparing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import schemas from '../../shared/core/kuma/crds/schemas.json' with { type: 'json' };
import { validateKumaResources } from '../../shared/core/kuma/validate/index.js';

interface CorpusCase {
  name: string;
  line: number;
  expect: 'accept' | 'reject';
  input: string;
  violations?: { field: string; message: string }[];
}
interface CorpusFile {
  kind: string;
  source: string;
  commit: string;
  cases: CorpusCase[];
}

const corpusDir = path.resolve('test/kuma-corpus/validator');
const corpus: CorpusFile[] = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => parse(readFileSync(path.join(corpusDir, file), 'utf8')));

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema };

/** sigs.k8s.io/yaml's typed decoding: scalars become strings where the target field is a string. */
function decodeAs(value: unknown, schema: Schema | undefined): unknown {
  if (!schema) return value;
  if (schema.type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return String(value);
  }
  if (Array.isArray(value)) return value.map((item) => decodeAs(item, schema.items));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, decodeAs(item, schema.properties?.[key])]),
    );
  }
  return value;
}

/** Kuma's path → the field's real path (see the module comment). */
const kumaPathQuirks: [RegExp, string][] = [
  // meshretry validator.go roots the default at "conf": spec.to[0].default.conf.http → spec.to[0].default.http
  [/\.default\.conf(?=\.|$)/, '.default'],
  // meshtrafficpermission validator.go omits "default": spec.rules[0].allow[0] → spec.rules[0].default.allow[0]
  [/^(spec\.rules\[\d+\])\.(allow|deny|allowWithShadowDeny)\[/, '$1.default.$2['],
  // meshhttproute validation.go names an item of `remove` (a list of strings) as if it had a name field
  [/(\.remove\[\d+\])\.name$/, '$1'],
];
const realPath = (field: string) =>
  kumaPathQuirks.reduce((path, [pattern, replacement]) => path.replace(pattern, replacement), field);

function ourVerdict(kind: string, input: string) {
  const { type: _type, mesh = 'default', name = 'corpus-case', ...spec } = parse(input) ?? {};
  const schema = (schemas as Record<string, { schema: Schema }>)[kind]?.schema;
  return validateKumaResources([
    { kind, name, mesh, spec: decodeAs(spec, schema) as Record<string, unknown> },
  ]);
}

interface Disagreement {
  kind: string;
  case: string;
  kuma: string[];
  ours: string[];
}

/** Kuma's verdict vs ours: accept/reject, and for rejections the fields named. */
function compare(file: CorpusFile): { agreed: number; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  for (const c of file.cases) {
    const problems = ourVerdict(file.kind, c.input);
    const kuma = new Set((c.violations ?? []).map((v) => realPath(v.field)));
    const ours = new Set(problems.map((p) => p.path));
    const webhook = new Set(problems.filter((p) => p.rule !== 'crd-schema').map((p) => p.path));
    const agree =
      c.expect === 'accept'
        ? problems.length === 0
        : problems.length > 0 &&
          [...kuma].every((field) => ours.has(field)) &&
          [...webhook].every((field) => kuma.has(field));
    if (!agree) {
      disagreements.push({
        kind: file.kind,
        case: c.name,
        kuma: c.expect === 'accept' ? ['accept'] : [...kuma].sort(),
        ours: problems.length === 0 ? ['accept'] : problems.map((p) => `${p.path}: ${p.message} [${p.rule}]`),
      });
    }
  }
  return { agreed: file.cases.length - disagreements.length, disagreements };
}

const unknownFieldInKumaTest =
  "Kuma's decoder drops fields its Go type does not have, and its unit test never sees the CRD schema; on " +
  'Kubernetes the API server prunes them and kubectl (strict field validation) rejects them. We reject unknown ' +
  'fields on purpose: a misplaced setting silently does nothing.';
const envoyPayload =
  "Kuma parses each patch `value` as the Envoy resource it patches ('{' fails: unexpected EOF). Our port of the " +
  'webhook checks the operations only; the Envoy payload check is a separate module (MeshProxyPatch payloads), ' +
  'so these cases may start agreeing when it lands.';

/**
 * Cases where we differ from Kuma's test, each with the reason. The test fails if any other case disagrees, and
 * if a case listed as a deliberate difference (not `pending`) starts agreeing (then remove it here).
 */
const knownDisagreements: Record<string, { reason: string; pending?: true }> = {
  'MeshCircuitBreaker: full example': {
    reason: `The input sets outlierDetection.detectors.healthyPanicThreshold, a field that does not exist. ${unknownFieldInKumaTest}`,
  },
  'MeshHealthCheck: full example': {
    reason: `The input's http.requestHeadersToAdd is mis-indented: null, with its set/add as unknown fields of http. ${unknownFieldInKumaTest}`,
  },
  'MeshRetry: full example': {
    reason:
      'The input uses header match types PREFIX, REGULAR_EXPRESSION and EXACT, which the CRD enum (Exact, Present, ' +
      "RegularExpression, Absent, Prefix) refuses: the API server rejects the resource before the webhook, Kuma's Go " +
      'validator does not look at the type.',
  },
  'MeshProxyPatch: invalid cluster modifications': { reason: envoyPayload, pending: true },
  'MeshProxyPatch: invalid listener modifications': { reason: envoyPayload, pending: true },
  'MeshProxyPatch: invalid network filter operation': { reason: envoyPayload, pending: true },
  'MeshProxyPatch: invalid http filter operation': { reason: envoyPayload, pending: true },
  'MeshProxyPatch: invalid virtual host operation': { reason: envoyPayload, pending: true },
};

describe("Kuma's validator corpus (v2.14.3)", () => {
  it('covers every kind the renderer emits, from one Kuma commit', () => {
    expect(corpus.map((file) => file.kind).sort()).toEqual([
      'MeshAccessLog',
      'MeshCircuitBreaker',
      'MeshHTTPRoute',
      'MeshHealthCheck',
      'MeshProxyPatch',
      'MeshRateLimit',
      'MeshRetry',
      'MeshTimeout',
      'MeshTrace',
      'MeshTrafficPermission',
    ]);
    expect(new Set(corpus.map((file) => file.commit))).toEqual(
      new Set(['0c7aaec033b7dad03c3a9f4d5b56eb6d941bfff9']),
    );
    expect(corpus.every((file) => file.cases.some((c) => c.expect === 'accept'))).toBe(true);
    expect(corpus.every((file) => file.cases.some((c) => c.expect === 'reject'))).toBe(true);
  });

  it('agrees with Kuma on every case but the listed ones', () => {
    const all: Disagreement[] = [];
    const table: string[] = [];
    for (const file of corpus) {
      const { agreed, disagreements } = compare(file);
      table.push(`${file.kind.padEnd(22)} ${agreed}/${file.cases.length}`);
      all.push(...disagreements);
    }
    console.log(`agreement with Kuma's validator tests, per kind:\n${table.join('\n')}`);
    const key = (d: Disagreement) => `${d.kind}: ${d.case}`;
    expect(all.filter((d) => !knownDisagreements[key(d)])).toEqual([]);
    const deliberate = Object.keys(knownDisagreements).filter((name) => !knownDisagreements[name]?.pending);
    expect(deliberate.filter((name) => !all.some((d) => key(d) === name))).toEqual([]);
  });
});
