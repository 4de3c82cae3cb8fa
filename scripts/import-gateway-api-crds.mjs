// Copies the Gateway API and Envoy Gateway CRD schemas the Gateway API target emits into the project as one
// compact JSON module, so that the product never reads anything at runtime but its own files.
// Usage: node scripts/import-gateway-api-crds.mjs <gateway-api git dir> <envoy gateway git dir>
// (git directories of kubernetes-sigs/gateway-api and envoyproxy/gateway; the files are read at the pinned
// tags below with `git show`, and the tags' commits are recorded). Then run `npx biome format --write`.
//
// For each CRD and served version it keeps the `spec` property of `openAPIV3Schema` with documentation keywords
// (description, example, title) removed; everything else stays, including the `x-kubernetes-validations` CEL
// rules (the validator ports them as code, and a test checks that every rule is accounted for). A version whose
// schema equals an earlier version's is stored as that version's name.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Gateway API's pinned release: the one Envoy Gateway's pinned release is built against (its go.mod). */
const gatewayApi = {
  repository: 'kubernetes-sigs/gateway-api',
  tag: 'v1.6.1',
  files: [
    'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
    'config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml',
  ],
};
/** Envoy Gateway's newest v1.x release. */
const envoyGateway = {
  repository: 'envoyproxy/gateway',
  tag: 'v1.9.0',
  files: [
    'charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_securitypolicies.yaml',
    'charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_backendtrafficpolicies.yaml',
    'charts/gateway-helm/charts/crds/crds/generated/gateway.envoyproxy.io_clienttrafficpolicies.yaml',
  ],
};

const [gatewayApiDir, envoyGatewayDir] = process.argv.slice(2);
if (!gatewayApiDir || !envoyGatewayDir) {
  console.error(
    'usage: node scripts/import-gateway-api-crds.mjs <gateway-api git dir> <envoy gateway git dir>',
  );
  process.exit(2);
}
const out = 'shared/core/gateway-api/crds';
const docKeywords = new Set(['description', 'example', 'title', '$schema']);

/** Removes documentation keywords, but not properties that happen to be named like them. */
function stripDocs(schema, inProperties = false) {
  if (Array.isArray(schema)) return schema.map((item) => stripDocs(item));
  if (schema === null || typeof schema !== 'object') return schema;
  const result = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!inProperties && docKeywords.has(key)) continue;
    result[key] = stripDocs(value, !inProperties && key === 'properties');
  }
  return result;
}

const git = (dir, ...args) =>
  execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

const sources = [];
const kinds = {};
for (const [dir, release] of [
  [gatewayApiDir, gatewayApi],
  [envoyGatewayDir, envoyGateway],
]) {
  const commit = git(dir, 'rev-parse', `${release.tag}^{commit}`).trim();
  sources.push({ repository: release.repository, tag: release.tag, commit, files: release.files });
  for (const file of release.files) {
    const crd = parse(git(dir, 'show', `${commit}:${file}`));
    const versions = {};
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const spec = stripDocs(version.schema.openAPIV3Schema.properties.spec);
      const text = JSON.stringify(spec);
      const same = Object.entries(versions).find(([, earlier]) => JSON.stringify(earlier) === text);
      versions[version.name] = same ? same[0] : spec;
    }
    kinds[crd.spec.names.kind] = { group: crd.spec.group, scope: crd.spec.scope, source: file, versions };
  }
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'schemas.json'), `${JSON.stringify({ sources, kinds })}\n`);
console.log(`wrote ${Object.keys(kinds).join(', ')} to ${out}/schemas.json`);
for (const source of sources) console.log(`  ${source.repository} ${source.tag} ${source.commit}`);
