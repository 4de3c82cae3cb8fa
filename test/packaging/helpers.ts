/**
 * Builds the Lambda bundles and runs `serverless package` (osls, offline, without credentials) in a temp copy of
 * the service, as `npm run package` does in the repo.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export type Architecture = 'arm64' | 'x86_64';
export const hostArchitecture: Architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';

/** A CloudFormation resource as serverless writes it. */
export interface Resource {
  Type: string;
  Properties: Record<string, unknown> & { [key: string]: never | unknown };
  DependsOn?: string[];
}

export interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export interface PackagedService {
  dir: string;
  template: Template;
  /** The zip of each function, by function name. */
  zip(name: 'webhook' | 'worker'): AdmZip;
  zipPath(name: 'webhook' | 'worker'): string;
  /** esbuild's metafile of each bundle. */
  metafile(name: 'webhook' | 'worker'): Promise<Metafile>;
}

export interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** The environment without any AWS credentials or profile: `package` must not need them. */
export function envWithoutAws(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', HOME: tmpdir(), ...extra };
}

/**
 * `reuseBuildOf`: package the bundles of an earlier package again (other `params`) instead of rebuilding.
 *
 * With `KAF_PACKAGES_DIR` set (.ci/run sets it to a fresh folder for one run), a package is made once per
 * architecture and params and kept there: the Node 22 pass opens the packages the Node 20 pass made from the same
 * checkout (esbuild and `serverless package` write the same bytes on either), and runs the packaged handlers
 * on Node 22, the Lambda runtime.
 */
export async function packageService(
  architecture: Architecture,
  params: Record<string, string> = {},
  reuseBuildOf?: PackagedService,
): Promise<PackagedService> {
  const kept = process.env.KAF_PACKAGES_DIR;
  if (kept) {
    const dir = join(
      kept,
      createHash('sha256')
        .update(JSON.stringify([architecture, params]))
        .digest('hex'),
    );
    if (!existsSync(dir)) {
      // Made aside and renamed when complete: a pass that failed half-way leaves nothing the next one trusts.
      const partial = await mkdtemp(`${dir}.partial-`);
      await packageInto(partial, architecture, params, reuseBuildOf);
      await rename(partial, dir);
    }
    return opened(dir);
  }
  const dir = await mkdtemp(join(tmpdir(), 'kuma-api-forge-sls-'));
  await packageInto(dir, architecture, params, reuseBuildOf);
  return opened(dir);
}

const templateFile = 'cloudformation-template-update-stack.json';

async function packageInto(
  dir: string,
  architecture: Architecture,
  params: Record<string, string>,
  reuseBuildOf?: PackagedService,
): Promise<void> {
  if (reuseBuildOf) {
    await cp(join(reuseBuildOf.dir, 'dist'), join(dir, 'dist'), { recursive: true });
  } else {
    await run(process.execPath, [join(repoRoot, 'scripts/build-functions.mjs')], {
      cwd: repoRoot,
      env: { ...process.env, LAMBDA_ARCH: architecture, LAMBDA_OUT_DIR: join(dir, 'dist', 'lambda') },
    });
  }
  await copyFile(join(repoRoot, 'serverless.yml'), join(dir, 'serverless.yml'));
  const out = join(dir, '.serverless');
  await mkdir(out);
  const paramArgs = Object.entries(params).map(([key, value]) => `--param=${key}=${value}`);
  await run(
    process.execPath,
    [
      join(repoRoot, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      'test',
      '--package',
      out,
      ...paramArgs,
    ],
    { cwd: dir, env: envWithoutAws() },
  );
}

async function opened(dir: string): Promise<PackagedService> {
  const out = join(dir, '.serverless');
  const template = JSON.parse(await readFile(join(out, templateFile), 'utf8')) as Template;
  return {
    dir,
    template,
    zip: (name) => new AdmZip(join(out, `${name}.zip`)),
    zipPath: (name) => join(out, `${name}.zip`),
    metafile: async (name) =>
      JSON.parse(await readFile(join(dir, 'dist', 'lambda', `${name}.meta.json`), 'utf8')),
  };
}

/** Node's `process.arch` → the ELF `e_machine` of a binary built for it. */
export const elfMachine: Record<Architecture, number> = { x86_64: 0x3e, arm64: 0xb7 };
