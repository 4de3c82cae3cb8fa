/**
 * `kuma-api-forge … | head -c 0`: a reader that closes the pipe early is normal shell use. The CLI stops
 * writing and exits with the command's own code, with nothing on stderr but its findings (no EPIPE stack trace).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/kuma-api-forge.js');

/** Run the bin with its stdout closed before it writes anything. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a closed stdout', () => {
  it.each([
    ['render to stdout', ['render', 'fixtures/specs/petstore/petstore.yaml'], 0],
    [
      'check, failing, as markdown',
      [
        'check',
        '--base',
        'fixtures/specs/petstore/petstore.yaml',
        '--head',
        'fixtures/specs/petstore/revisions/removed-operation.yaml',
        '--format',
        'markdown',
      ],
      1,
    ],
    ['check as json', ['check', '--head', 'fixtures/specs/petstore/petstore.yaml', '--format', 'json'], 0],
    ['--help', ['--help'], 0],
  ])('%s exits with its own code and no stack trace', async (_, args, expected) => {
    const { code, stderr } = await runWithClosedStdout(args);
    expect(stderr).not.toMatch(/EPIPE|node:events|\n\s+at /);
    expect(code).toBe(expected);
  });
});
