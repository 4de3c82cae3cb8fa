/**
 * Stress, not part of the everyday suite (`npm run test:stress`; CI runs it once, on Node 20): a spec of 10,000
 * operations goes through the whole `check` and `render` (moved from test/e2e/hostile-input.test.ts, where it
 * was most of the suite's time). bench/scale.mjs measures the time; this proves every stage finishes on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-scale-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function spec(name: string, content: string): string {
  const file = path.join(root, name);
  writeFileSync(file, content);
  return file;
}

it('a spec of 10,000 operations is checked and rendered (every stage stays about linear)', async () => {
  // 2,000 resources × 5 operations, half of them templated GETs/PUTs/DELETEs of one shape: the case that made
  // the regex ordering quadratic. bench/scale.mjs measures the time; this only proves it finishes.
  const op = (id: string, param = '') =>
    `{operationId: ${id}${param}, responses: {'200': {description: ok}}}`;
  const param = ', parameters: [{name: id, in: path, required: true, schema: {type: integer}}]';
  const paths = Array.from(
    { length: 2000 },
    (_, r) =>
      `  /res${r}:\n    get: ${op(`list${r}`)}\n    post: ${op(`create${r}`)}\n  /res${r}/{id}:\n    get: ${op(`get${r}`, param)}\n    put: ${op(`put${r}`, param)}\n    delete: ${op(`delete${r}`, param)}\n`,
  );
  const file = spec(
    'ten-thousand.yaml',
    `openapi: 3.0.3\ninfo: {title: Big, version: 1.0.0}\nservers: [{url: 'https://api.example.com/big'}]\npaths:\n${paths.join('')}`,
  );
  const { code, report } = await checkJson(['--head', file]);
  expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(code).toBe(0);
  const render = await runCli(['render', file]);
  expect(render.code).toBe(0);
  expect(render.stdout.match(/method: DELETE/g)).toHaveLength(2000);
}, 300_000);
