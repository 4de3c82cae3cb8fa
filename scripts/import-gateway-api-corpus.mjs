// Extracts the conformance corpus of the Gateway API target's validator (test/gateway-api-corpus/) from the
// pinned releases of the vendored CRDs (see shared/core/gateway-api/crds/NOTICE.md). Test data only.
// Usage: node scripts/import-gateway-api-corpus.mjs <gateway-api git dir> <envoy gateway git dir>, then
// `npx biome format --write test/gateway-api-corpus`.
//
// gateway-api.yaml — Gateway API's own examples, one case per HTTPRoute/ReferenceGrant document:
//   examples/standard/**.yaml and conformance/tests/*.yaml (applied to clusters by their docs and conformance
//   suite: `accept`), hack/invalid-examples/standard/{httproute,referencegrant}/*.yaml (their CRD validation
//   test: the API server must refuse each, `reject`).
// envoy-gateway.yaml — the HTTPRoutes, SecurityPolicies, BackendTrafficPolicies and ClientTrafficPolicies of
//   Envoy Gateway's translator tests (internal/gatewayapi/testdata/*.in.yaml), each with the verdict of the
//   golden status in the matching .out.yaml: `accept` when every Accepted condition is True, `reject` (with
//   the condition messages) when one is False or a route is PartiallyInvalid (rules dropped); resources without
//   an Accepted condition are left out.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

const gatewayApi = { repository: 'kubernetes-sigs/gateway-api', tag: 'v1.6.1' };
const envoyGateway = { repository: 'envoyproxy/gateway', tag: 'v1.9.0' };

const [gatewayApiDir, envoyGatewayDir] = process.argv.slice(2);
if (!gatewayApiDir || !envoyGatewayDir) {
  console.error(
    'usage: node scripts/import-gateway-api-corpus.mjs <gateway-api git dir> <envoy gateway git dir>',
  );
  process.exit(2);
}
const out = 'test/gateway-api-corpus';
const git = (dir, ...args) =>
  execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const files = (dir, commit, under) =>
  git(dir, 'ls-tree', '-r', '--name-only', commit, under).split('\n').filter(Boolean);

// --- Gateway API ---------------------------------------------------------------------------------------------
const gaCommit = git(gatewayApiDir, 'rev-parse', `${gatewayApi.tag}^{commit}`).trim();
const gaKinds = new Set(['HTTPRoute', 'ReferenceGrant']);
const gaCases = [];
const gaSources = [
  ...files(gatewayApiDir, gaCommit, 'examples/standard').map((file) => [file, 'accept']),
  ...files(gatewayApiDir, gaCommit, 'conformance/tests').map((file) => [file, 'accept']),
  ...files(gatewayApiDir, gaCommit, 'hack/invalid-examples/standard/httproute').map((file) => [
    file,
    'reject',
  ]),
  ...files(gatewayApiDir, gaCommit, 'hack/invalid-examples/standard/referencegrant').map((file) => [
    file,
    'reject',
  ]),
].filter(([file]) => file.endsWith('.yaml'));
for (const [file, expect] of gaSources) {
  const docs = parseAllDocuments(git(gatewayApiDir, 'show', `${gaCommit}:${file}`));
  for (const [index, doc] of docs.entries()) {
    const resource = doc.toJS();
    if (!resource || !gaKinds.has(resource.kind)) continue;
    gaCases.push({ source: `${file}#${index}`, expect, resource });
  }
}

// --- Envoy Gateway -------------------------------------------------------------------------------------------
const egCommit = git(envoyGatewayDir, 'rev-parse', `${envoyGateway.tag}^{commit}`).trim();
const egLists = ['httpRoutes', 'securityPolicies', 'backendTrafficPolicies', 'clientTrafficPolicies'];
const egCases = [];
const egSeen = new Map();
let unknown = 0;
const unparsable = [];
const testdata = files(envoyGatewayDir, egCommit, 'internal/gatewayapi/testdata');
for (const file of testdata.filter((name) => name.endsWith('.in.yaml'))) {
  const golden = file.replace(/\.in\.yaml$/, '.out.yaml');
  if (!testdata.includes(golden)) continue;
  let input;
  let output;
  try {
    input = parse(git(envoyGatewayDir, 'show', `${egCommit}:${file}`)) ?? {};
    output = parse(git(envoyGatewayDir, 'show', `${egCommit}:${golden}`)) ?? {};
  } catch {
    unparsable.push(file); // a few goldens are not YAML our parser reads (Go's yaml.v3 is laxer)
    continue;
  }
  for (const list of egLists) {
    const inputs = input[list] ?? [];
    const id = (item) => `${item.metadata?.namespace}/${item.metadata?.name}`;
    for (const resource of inputs) {
      const { name, namespace } = resource.metadata ?? {};
      if (inputs.filter((other) => id(other) === id(resource)).length > 1) {
        unknown++; // two inputs with one name: which golden status is whose is ambiguous
        continue;
      }
      const result = (output[list] ?? []).find(
        (item) => item.metadata?.name === name && item.metadata?.namespace === namespace,
      );
      const statuses = [...(result?.status?.parents ?? []), ...(result?.status?.ancestors ?? [])];
      const conditions = statuses.flatMap((s) => s.conditions ?? []);
      if (!conditions.some((c) => c.type === 'Accepted')) {
        unknown++;
        continue;
      }
      // Not accepted, or accepted with rules dropped (PartiallyInvalid): either way an operation is lost.
      const refused = conditions.filter(
        (c) =>
          (c.type === 'Accepted' && c.status !== 'True') ||
          (c.type === 'PartiallyInvalid' && c.status === 'True'),
      );
      const source = `${file}#${list}/${namespace}/${name}`;
      const verdict = {
        expect: refused.length ? 'reject' : 'accept',
        ...(refused.length
          ? { messages: [...new Set(refused.map((c) => `${c.reason}: ${c.message}`))] }
          : {}),
      };
      // Many tests share the same boilerplate route: keep one case per distinct resource and verdict.
      const key = JSON.stringify([verdict, resource]);
      const same = egSeen.get(key);
      if (same) {
        same.alsoIn = [...(same.alsoIn ?? []), source];
      } else {
        const entry = { source, ...verdict, resource };
        egSeen.set(key, entry);
        egCases.push(entry);
      }
    }
  }
}

mkdirSync(out, { recursive: true });
const header = (release, commit, cases) =>
  `# ${release.repository} ${release.tag} (${commit}), extracted by scripts/import-gateway-api-corpus.mjs\n` +
  stringify({ repository: release.repository, tag: release.tag, commit, cases }, { lineWidth: 0 });
writeFileSync(join(out, 'gateway-api.yaml'), header(gatewayApi, gaCommit, gaCases));
writeFileSync(join(out, 'envoy-gateway.yaml'), header(envoyGateway, egCommit, egCases));
writeFileSync(join(out, 'LICENSE'), git(gatewayApiDir, 'show', `${gaCommit}:LICENSE`));
const count = (cases, expect) => cases.filter((c) => c.expect === expect).length;
console.log(`gateway-api: ${count(gaCases, 'accept')} accept, ${count(gaCases, 'reject')} reject`);
console.log(
  `envoy-gateway: ${count(egCases, 'accept')} accept, ${count(egCases, 'reject')} reject, ${unknown} without a verdict`,
);
console.log(`unparsable test files left out: ${unparsable.join(', ') || 'none'}`);
