/**
 * The `kuma-api-forge` command line: argument parsing and exit codes only; the work is done by use cases.
 * @module
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

export async function main(_argv: string[], io: CliIo): Promise<number> {
  io.stderr('kuma-api-forge: not implemented yet\n');
  return 2;
}
