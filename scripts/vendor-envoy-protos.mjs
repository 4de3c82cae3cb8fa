// Copies the .proto files needed to decode the Envoy payloads we put in MeshProxyPatches (the jwt_authn filter,
// the JWKS cluster and its TLS context, the HTTP filter wrapper) into test/envoy-protos/, with every file they
// import, transitively, and nothing else. google/protobuf/* are not copied: buf ships the well-known types.
//
//   node scripts/vendor-envoy-protos.mjs \
//     --envoy <git dir of envoyproxy/data-plane-api>[@rev] \
//     --xds <git dir of cncf/xds>[@rev] \
//     --pgv <git dir of bufbuild/protoc-gen-validate>[@rev]
//
// Each source is read with `git show <rev>:<path>` (rev default HEAD), so a bare snapshot is enough. Then update
// the commits in test/envoy-protos/README.md (the script prints them). Each source's LICENSE is copied too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'envoy-protos');

/** The messages our payloads are, by the files that define them. */
const roots = [
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
];

/** Which source holds an import path, by its first directory. */
const sourceOf = { envoy: 'envoy', udpa: 'xds', xds: 'xds', validate: 'pgv' };

function parseArgs(argv) {
  const sources = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const [gitDir, rev = 'HEAD'] = (argv[i + 1] ?? '').split('@');
    if (!['envoy', 'xds', 'pgv'].includes(key) || !gitDir) throw new Error(`usage: see ${import.meta.url}`);
    const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', `${rev}^{commit}`], {
      encoding: 'utf8',
    });
    sources[key] = { gitDir, commit: commit.trim() };
  }
  for (const key of ['envoy', 'xds', 'pgv']) if (!sources[key]) throw new Error(`--${key} is required`);
  return sources;
}

function read(sources, path) {
  const source = sources[sourceOf[path.split('/')[0]]];
  if (!source) throw new Error(`no source for ${path}`);
  return execFileSync('git', ['--git-dir', source.gitDir, 'show', `${source.commit}:${path}`], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

const sources = parseArgs(process.argv.slice(2));
const files = new Map();
const queue = [...roots];
while (queue.length > 0) {
  const path = queue.shift();
  if (files.has(path) || path.startsWith('google/protobuf/')) continue;
  const text = read(sources, path);
  files.set(path, text);
  for (const [, imported] of text.matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm))
    queue.push(imported);
}

for (const dir of ['envoy', 'udpa', 'xds', 'validate'])
  rmSync(join(out, dir), { recursive: true, force: true });
for (const [path, text] of [...files].sort()) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
}
const licenses = { envoy: 'LICENSE', xds: 'LICENSE.cncf-xds', pgv: 'LICENSE.protoc-gen-validate' };
for (const [key, name] of Object.entries(licenses)) {
  const { gitDir, commit } = sources[key];
  writeFileSync(join(out, name), execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:LICENSE`]));
}
console.log(`${files.size} files`);
for (const [key, { commit }] of Object.entries(sources)) console.log(`${key}: ${commit}`);
