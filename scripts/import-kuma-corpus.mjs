// Extracts Kuma's own validator test cases into YAML test data for test/conformance/kuma-validator.test.ts.
// Usage: node scripts/import-kuma-corpus.mjs <kumahq/kuma git dir> [ref, default v2.14.3]
//
// Kuma keeps these cases in Ginkgo tables inside Go test files, not in data files. This script reads the files
// with `git show <ref>:<path>` (no Go code is copied) and parses the table entries with a small reader for the
// Go expressions they use: string literals (raw and interpreted), `+` concatenation, composite literals
// (`testCase{inputYaml: ..., expected: ...}`, `validators.Violation{Field: ..., Message: ...}`), the message
// constants of pkg/core/validators/messages.go and `fmt.Sprintf` with `%s`/`%d`/`%v`. For each entry it writes
// the input YAML verbatim, the expected outcome (`accept` for tables named "should pass validation", `reject`
// for the others) and, for rejections, the violations Kuma's test expects (field + message), exactly as the
// test states them. An entry the reader cannot evaluate stops the script: nothing is guessed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const [repo, ref = 'v2.14.3'] = process.argv.slice(2);
if (!repo) {
  console.error('usage: node scripts/import-kuma-corpus.mjs <kuma git dir> [ref]');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const commit = git('rev-parse', `${ref}^{commit}`).trim();
const show = (path) => git('show', `${commit}:${path}`);

/** The kinds the renderer emits (kindOrder in shared/core/kuma/render/render-api.ts) and their test files. */
const sources = {
  MeshHTTPRoute: 'pkg/plugins/policies/meshhttproute/api/v1alpha1/validation_test.go',
  MeshTimeout: 'pkg/plugins/policies/meshtimeout/api/v1alpha1/validator_test.go',
  MeshRetry: 'pkg/plugins/policies/meshretry/api/v1alpha1/validator_test.go',
  MeshRateLimit: 'pkg/plugins/policies/meshratelimit/api/v1alpha1/validator_test.go',
  MeshCircuitBreaker: 'pkg/plugins/policies/meshcircuitbreaker/api/v1alpha1/validator_test.go',
  MeshHealthCheck: 'pkg/plugins/policies/meshhealthcheck/api/v1alpha1/validator_test.go',
  MeshTrafficPermission: 'pkg/plugins/policies/meshtrafficpermission/api/v1alpha1/validator_test.go',
  MeshProxyPatch: 'pkg/plugins/policies/meshproxypatch/api/v1alpha1/validator_test.go',
  MeshAccessLog: 'pkg/plugins/policies/meshaccesslog/api/v1alpha1/validator_test.go',
  MeshTrace: 'pkg/plugins/policies/meshtrace/api/v1alpha1/validator_test.go',
};

/** `Name = "text"` constants of pkg/core/validators/messages.go, as `validators.Name`. */
const constants = new Map();
for (const match of show('pkg/core/validators/messages.go').matchAll(
  /^\s+(\w+)\s+=\s+"((?:[^"\\]|\\.)*)"$/gm,
)) {
  constants.set(`validators.${match[1]}`, JSON.parse(`"${match[2]}"`));
}

// ---- a reader for the Go expressions used in the tables ----

function tokenize(source) {
  const tokens = [];
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') line++;
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      const text = source.slice(i + 1, end);
      tokens.push({ type: 'string', value: text, line });
      line += text.split('\n').length - 1;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      tokens.push({ type: 'string', value: JSON.parse(source.slice(i, j + 1)), line });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < source.length && /[\w.]/.test(source[j])) j++;
      tokens.push({ type: 'ident', value: source.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < source.length && /[0-9]/.test(source[j])) j++;
      tokens.push({ type: 'number', value: Number(source.slice(i, j)), line });
      i = j;
    } else {
      tokens.push({ type: 'punct', value: c, line });
      i++;
    }
  }
  return tokens;
}

class Reader {
  constructor(tokens, start) {
    this.tokens = tokens;
    this.at = start;
  }
  peek(offset = 0) {
    return this.tokens[this.at + offset];
  }
  take(value) {
    const token = this.tokens[this.at++];
    if (value !== undefined && token?.value !== value) {
      throw new Error(`expected '${value}' at line ${token?.line}, got '${token?.value}'`);
    }
    return token;
  }
  /** expression := operand ('+' operand)* */
  expression() {
    let value = this.operand();
    while (this.peek()?.value === '+') {
      this.take('+');
      value += this.operand();
    }
    return value;
  }
  operand() {
    const token = this.take();
    if (token.type === 'string' || token.type === 'number') return token.value;
    if (token.value === '[') {
      this.take(']');
      return this.operand(); // []T{...}: the element type is irrelevant
    }
    if (token.value === '{') return this.composite(); // elided type inside a slice literal
    if (token.type !== 'ident') throw new Error(`unexpected '${token.value}' at line ${token.line}`);
    if (this.peek()?.value === '(') return this.call(token.value);
    if (this.peek()?.value === '{') {
      this.take('{');
      return this.composite();
    }
    if (constants.has(token.value)) return constants.get(token.value);
    return { ident: token.value }; // callers that need a value check for strings
  }
  /** After `{`: keyed elements become an object, positional ones an array. */
  composite() {
    const keyed = {};
    const positional = [];
    while (this.peek().value !== '}') {
      if (this.peek().type === 'ident' && this.peek(1).value === ':') {
        const key = this.take().value;
        this.take(':');
        keyed[key] = this.expression();
      } else {
        positional.push(this.expression());
      }
      if (this.peek().value === ',') this.take(',');
    }
    this.take('}');
    return positional.length > 0 ? positional : keyed;
  }
  call(name) {
    this.take('(');
    const args = [];
    while (this.peek().value !== ')') {
      args.push(this.expression());
      if (this.peek().value === ',') this.take(',');
    }
    this.take(')');
    if (name === 'fmt.Sprintf') {
      const [format, ...rest] = args;
      return format.replace(/%[sdv]/g, () => String(rest.shift()));
    }
    return { call: name, args };
  }
}

/** Every table entry of a Ginkgo test file, with the name of the table it belongs to. */
function readEntries(source) {
  const tokens = tokenize(source);
  const entries = [];
  let table;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type !== 'ident' || tokens[i + 1]?.value !== '(') continue;
    if (token.value === 'DescribeTable') table = tokens[i + 2].value;
    else if (token.value === 'DescribeValidCases') table = 'should pass validation';
    else if (token.value === 'DescribeErrorCases') table = 'should validate all fields';
    else if (['Entry', 'ErrorCase', 'ErrorCases'].includes(token.value)) {
      const reader = new Reader(tokens, i + 1);
      const { args } = reader.call(token.value);
      entries.push({ helper: token.value, table, line: token.line, args });
      i = reader.at - 1;
    }
  }
  return entries;
}

/** An entry as test data: name, line, input YAML, expected outcome and violations. */
function toCase({ helper, table, line, args }) {
  const [name, ...rest] = args;
  const accept = table.startsWith('should pass');
  if (helper === 'Entry' && accept && typeof rest[0] === 'string') {
    return { name, line, expect: 'accept', input: rest[0] };
  }
  if (helper === 'Entry' && !accept && rest[0]?.inputYaml !== undefined) {
    const { violations } = parse(rest[0].expected);
    return { name, line, expect: 'reject', input: rest[0].inputYaml, violations };
  }
  if (helper === 'ErrorCase' || helper === 'ErrorCases') {
    const [violations, input] = rest;
    const list = (Array.isArray(violations) ? violations : [violations]).map((v) => ({
      field: v.Field,
      message: v.Message,
    }));
    if (list.some((v) => typeof v.field !== 'string' || typeof v.message !== 'string')) {
      throw new Error(`cannot read the violations of '${name}' (line ${line})`);
    }
    return { name, line, expect: 'reject', input, violations: list };
  }
  throw new Error(`cannot read entry '${name}' (line ${line}, table '${table}')`);
}

const out = 'test/kuma-corpus';
mkdirSync(join(out, 'validator'), { recursive: true });
writeFileSync(join(out, 'LICENSE'), show('LICENSE'));
writeFileSync(join(out, 'NOTICE'), show('NOTICE'));
for (const [kind, path] of Object.entries(sources)) {
  const cases = readEntries(show(path)).map(toCase);
  const header = [
    `# Kuma's validator test cases for ${kind}, extracted by scripts/import-kuma-corpus.mjs (do not edit).`,
    `# Source: https://github.com/kumahq/kuma ${ref} (commit ${commit}), ${path}`,
    '# Copyright Kong Inc., Apache License 2.0 (see LICENSE and NOTICE in this folder).',
  ].join('\n');
  const body = stringify({ kind, source: path, commit, cases }, { lineWidth: 0, blockQuote: 'literal' });
  writeFileSync(join(out, 'validator', `${kind}.yaml`), `${header}\n${body}`);
  const rejected = cases.filter((c) => c.expect === 'reject').length;
  console.log(`${kind}: ${cases.length} cases (${cases.length - rejected} accept, ${rejected} reject)`);
}

// ---- the gateway's route goldens ----
// pkg/plugins/runtime/gateway/gateway_route_generator_test.go: each entry of the `entries` table (run by the HTTP
// and HTTPS gateway contexts) names a golden file and gives the resources as YAML. We keep the entries with at
// least one HTTP MeshGatewayRoute, their route YAML verbatim, and the HTTP golden (the Envoy snapshot) verbatim.
const gatewayTest = 'pkg/plugins/runtime/gateway/gateway_route_generator_test.go';
const gatewaySource = show(gatewayTest);
const tableStart = gatewaySource.indexOf('entries := []TableEntry{');
const tableEnd = gatewaySource.indexOf('tcpEntries := []TableEntry{', tableStart);
if (tableStart < 0 || tableEnd < 0) throw new Error(`cannot find the entries table in ${gatewayTest}`);
const lineOffset = gatewaySource.slice(0, tableStart).split('\n').length - 1;
const gatewayCases = [];
const isHttpGatewayRoute = (doc) => doc?.type === 'MeshGatewayRoute' && doc.conf?.http !== undefined;
for (const { line, args } of readEntries(gatewaySource.slice(tableStart, tableEnd))) {
  const [name, golden, ...resources] = args;
  const routes = resources.filter(
    (r) => typeof r === 'string' && isHttpGatewayRoute(parse(r, { uniqueKeys: false })),
  );
  if (routes.length === 0) continue;
  gatewayCases.push({ name, line: line + lineOffset, golden: `http/${golden}`, routes });
}
mkdirSync(join(out, 'gateway', 'http'), { recursive: true });
for (const { golden } of gatewayCases) {
  writeFileSync(join(out, 'gateway', golden), show(`pkg/plugins/runtime/gateway/testdata/${golden}`));
}
const gatewayHeader = [
  "# Kuma's gateway route tests, extracted by scripts/import-kuma-corpus.mjs (do not edit).",
  `# Source: https://github.com/kumahq/kuma ${ref} (commit ${commit}), ${gatewayTest};`,
  '# goldens: pkg/plugins/runtime/gateway/testdata/<golden>, copied verbatim next to this file.',
  '# Copyright Kong Inc., Apache License 2.0 (see LICENSE and NOTICE in the parent folder).',
].join('\n');
const gatewayBody = stringify(
  { source: gatewayTest, commit, cases: gatewayCases },
  { lineWidth: 0, blockQuote: 'literal' },
);
writeFileSync(join(out, 'gateway', 'cases.yaml'), `${gatewayHeader}\n${gatewayBody}`);
console.log(`gateway: ${gatewayCases.length} route cases with their goldens`);

// ---- the Kubernetes admission webhook's cases ----
// pkg/plugins/runtime/k8s/webhooks/testdata/validation: `<case>.input.yaml` (first line: the request's user,
// operation and namespace) and the webhook's answer on a non-federated zone, a federated zone and a global CP
// (`<case>.<mode>.golden.yaml`). We copy, verbatim, the cases where a user (not the CP itself) creates a resource
// of a kind we emit.
const webhookDir = 'pkg/plugins/runtime/k8s/webhooks/testdata/validation';
const webhookOut = join(out, 'webhook');
mkdirSync(webhookOut, { recursive: true });
let webhookCases = 0;
for (const file of git('ls-tree', '--name-only', `${commit}:${webhookDir}`).split('\n')) {
  if (!file.endsWith('.input.yaml')) continue;
  const input = show(`${webhookDir}/${file}`);
  const kind = /^kind: (\w+)$/m.exec(input)?.[1];
  const request = input.split('\n')[0] ?? '';
  if (!kind || !(kind in sources) || !/user=cli-user,operation=CREATE/.test(request)) continue;
  const base = file.slice(0, -'.input.yaml'.length);
  for (const suffix of ['input', 'non-federated.golden', 'federated.golden', 'global.golden']) {
    writeFileSync(join(webhookOut, `${base}.${suffix}.yaml`), show(`${webhookDir}/${base}.${suffix}.yaml`));
  }
  webhookCases += 1;
}
console.log(`webhook: ${webhookCases} admission cases of kinds we emit`);

// ---- a MeshHTTPRoute gateway golden ----
// pkg/plugins/policies/meshhttproute/plugin/v1alpha1/plugin_test.go builds its inputs with Go builders, not YAML:
// test/conformance/kuma-gateway-routes.test.ts transcribes the entry "gateway" (four rules with different
// hostnames on three listeners) and we copy its routes golden verbatim.
const meshHttpRouteGolden =
  'pkg/plugins/policies/meshhttproute/plugin/v1alpha1/testdata/gateway.routes.golden.yaml';
mkdirSync(join(out, 'gateway', 'meshhttproute'), { recursive: true });
writeFileSync(join(out, 'gateway', 'meshhttproute', 'gateway.routes.golden.yaml'), show(meshHttpRouteGolden));
console.log('meshhttproute: gateway.routes.golden.yaml');
