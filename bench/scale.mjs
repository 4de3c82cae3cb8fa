// How `check` and `render` grow with the size of a spec: generated specs of 1k, 10k and 50k operations.
// Usage: npm run build && node bench/scale.mjs [runs=3] [sizes=1000,10000,50000]
// Each figure is the median of `runs` fresh CLI processes after one warm-up (the largest size runs once after no
// warm-up: it takes minutes), with the peak RSS. Target (issue 9): time and memory grow about linearly, so the
// per-operation cost (the last columns) stays about flat from 1k to 50k.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeLoad, measure, repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? '1000,10000,50000').split(',').map(Number);
const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const dir = path.join(repoRoot, '.cache', 'bench', 'scale');
mkdirSync(dir, { recursive: true });

/**
 * A spec of `operations` operations in resources of five (list, create, get, replace, delete), each with a
 * path parameter, a `$ref`ed schema, a response example and x-kuma settings: what every stage works on.
 */
function generateSpec(operations) {
  const lines = [
    'openapi: 3.0.3',
    'info:',
    `  title: Scale ${operations}`,
    '  version: 1.0.0',
    '  description: Generated for bench/scale.mjs.',
    '  contact: {name: Bench, email: bench@example.com}',
    'servers:',
    '  - url: https://api.example.com/scale',
    'tags:',
    '  - {name: things, description: Things}',
    'paths:',
  ];
  const op = (id, extra = '') =>
    `{operationId: ${id}, summary: ${id}, description: ${id}, tags: [things]${extra}, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}, example: {id: 1, name: thing}}}}}}`;
  const idParam = `, parameters: [{name: id, in: path, required: true, schema: {type: integer}}]`;
  for (let r = 0; r < operations / 5; r++) {
    lines.push(`  /res${r}:`);
    lines.push(`    get: ${op(`list${r}`)}`);
    lines.push(`    post: ${op(`create${r}`, ', x-kuma: {timeout: 5s}')}`);
    lines.push(`  /res${r}/{id}:`);
    lines.push(`    get: ${op(`get${r}`, idParam)}`);
    lines.push(`    put: ${op(`replace${r}`, idParam)}`);
    lines.push(`    delete: ${op(`delete${r}`, idParam)}`);
  }
  lines.push(
    'components:',
    '  schemas:',
    '    Thing:',
    '      type: object',
    '      required: [id, name]',
    '      properties:',
    '        id: {type: integer}',
    "        name: {type: string, pattern: '^[a-z]+$'}",
  );
  return `${lines.join('\n')}\n`;
}

/** One line per measurement; CPU seconds (children included: oasdiff) are the steadier figure on a busy machine. */
const fmtRow = (ops, what, m) =>
  [
    `${String(ops).padStart(6)} ops  ${what.padEnd(6)}`,
    `wall ${m.median.toFixed(2).padStart(6)} s (min ${m.min.toFixed(2)}, max ${m.max.toFixed(2)})`,
    `cpu ${m.cpu?.toFixed(2).padStart(6)} s`,
    `peak ${Math.round(m.peakMb).toString().padStart(5)} MB`,
    `per op: ${((m.cpu / ops) * 1e6).toFixed(0).padStart(5)} µs cpu, ${((m.peakMb * 1024) / ops).toFixed(1).padStart(6)} KB`,
    `exit ${m.status}`,
  ].join('  ');

console.log(`${runs} runs each (largest size: 1), ${describeLoad()} at start`);
for (const ops of sizes) {
  const file = path.join(dir, `scale-${ops}.yaml`);
  writeFileSync(file, generateSpec(ops));
  // The largest size takes minutes per run: once, without a warm-up.
  const largest = ops === Math.max(...sizes) && sizes.length > 1;
  const options = largest ? { runs: 1, warmup: false } : { runs };
  const check = measure(
    process.execPath,
    [cli, 'check', '--head', file, '--base', file, '--format', 'json', '--lint', 'all'],
    options,
  );
  console.log(fmtRow(ops, 'check', check));
  const render = measure(process.execPath, [cli, 'render', file], options);
  console.log(fmtRow(ops, 'render', render));
}
console.log(`${describeLoad()} at end`);
