// Copies the Kuma CRD schemas into the project as compact JSON modules, so that the product never reads the
// team folder at runtime. Usage: node scripts/import-kuma-crds.mjs <dir with kuma.io_*.yaml and protos/>
//
// For each CRD it keeps the `spec` property of `openAPIV3Schema` with documentation keywords (description,
// example, title) removed; nothing else changes. For MeshGateway (whose CRD carries no spec schema) it copies
// the JSON Schema that Kuma generates from its protobuf (`protos/MeshGateway.json`), minus docs and `$schema`.
// The validator tightens both at runtime (unknown fields become errors). Then run `npx biome format --write`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/import-kuma-crds.mjs <kuma-crds dir>');
  process.exit(2);
}
const out = 'shared/core/kuma/crds';
const docKeywords = new Set(['description', 'example', 'title', '$schema']);

/** Removes documentation keywords, but not properties that happen to be named like them. */
function stripDocs(schema, inProperties = false) {
  if (Array.isArray(schema)) return schema.map((item) => stripDocs(item));
  if (schema === null || typeof schema !== 'object') return schema;
  const result = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!inProperties && docKeywords.has(key)) continue;
    result[key] = stripDocs(value, !inProperties && (key === 'properties' || key === 'definitions'));
  }
  return result;
}

const kinds = {};
for (const file of readdirSync(source)
  .filter((name) => /^kuma\.io_.*\.yaml$/.test(name))
  .sort()) {
  const crd = parse(readFileSync(join(source, file), 'utf8'));
  const kind = crd.spec.names.kind;
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const spec = version.schema.openAPIV3Schema.properties?.spec;
  if (!spec || spec['x-kubernetes-preserve-unknown-fields']) continue; // Mesh, MeshGateway: see protos/
  kinds[kind] = { source: file, scope: crd.spec.scope, schema: stripDocs(spec) };
}

/** protojson accepts a field's lowerCamel JSON name as well as its proto name (`connection_limit`). */
function addJsonNames(schema) {
  if (Array.isArray(schema)) return schema.forEach(addJsonNames);
  if (schema === null || typeof schema !== 'object') return;
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    const jsonName = name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    if (jsonName !== name) schema.properties[jsonName] ??= sub;
  }
  Object.values(schema).forEach(addJsonNames);
}

const proto = stripDocs(JSON.parse(readFileSync(join(source, 'protos', 'MeshGateway.json'), 'utf8')));
addJsonNames(proto);
kinds.MeshGateway = { source: 'protos/MeshGateway.json', scope: 'Cluster', schema: proto };

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'schemas.json'), `${JSON.stringify(kinds)}\n`);
console.log(`wrote ${Object.keys(kinds).length} schemas to ${out}/schemas.json`);
