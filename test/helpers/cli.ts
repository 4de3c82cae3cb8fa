import { main } from '../../shared/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, exactly as bin/kuma-api-forge.js does, and captures what it prints. */
export async function runCli(args: string[], cwd = process.cwd()): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    cwd,
  });
  return { code, stdout, stderr };
}

/** `check --format json`, parsed. */
export async function checkJson(args: string[], cwd?: string) {
  const run = await runCli(['check', ...args, '--format', 'json'], cwd);
  if (run.stderr) throw new Error(`unexpected stderr: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

export interface JsonFinding {
  kind: string;
  id: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  pointer: string;
  operation: string | null;
  side?: string;
  operations?: string[];
  waivedBy?: string;
  headPosition?: { file: string; line: number; column: number; pointer: string };
}

export interface JsonReport {
  verdict: 'pass' | 'fail';
  reason: string;
  findings: JsonFinding[];
  notices: string[];
}
