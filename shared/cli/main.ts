/**
 * The `kuma-api-forge` command line: parse the command, run it, map errors to exit codes.
 * Exit codes (DESIGN.md §3): 0 pass, 1 the gate failed, 2 usage error or unreadable input (one line on stderr).
 * @module
 */
import { runCheckCommand } from './check-command.js';
import { type CliIo, UsageError } from './cli-io.js';
import { runRender } from './render.js';

export type { CliIo };

const help = `Usage: kuma-api-forge <command> [options]

Commands:
  check   --head <spec|dir> [--base <spec|dir> | --base-ref <git ref>] [--format text|json|markdown|sarif|github]
          [--fail-on error|warning] [--lint new|all] [--approved]
          [--tenants <file>] [--deployed <deploy repo dir>] [--governance <dir>] [--repo <owner/repo>]
          [--extends-dir <dir>]
          Validate, lint and compare an OpenAPI spec (or every API of a repo) with its base, and render it
          as the merge would (with --tenants/--deployed: the deploy's tenancy check too; --governance: the
          platform's ruleset and limits from that folder instead of the deploy repo's governance/).
  render  <spec|dir> [--format k8s|universal] [--out <dir>] [--api <name>] [--gateway <name>] [--mesh <name>]
          [--hostname <host>]... [--service <name>] [--namespace <ns>] [--port <n>] [--repo <owner/repo>]
          [--commit <sha>] [--zone-origin] [--target kuma-gateway|gateway-api] [--parent-ref [<ns>/]<name>]
          [--extends-dir <dir>]
          Render the Kuma manifests of a spec or repo (stdout without --out); --target renders every API for
          that edge (gateway-api: Gateway API HTTPRoutes on the Gateway --parent-ref names).

--extends-dir <dir>: a checkout of the repo the config's _extends names (org defaults); without it, _extends
is a warning and the repo's own keys apply.

Exit codes: 0 pass, 1 the gate failed, 2 usage error or unreadable input.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  // `kuma-api-forge check --help` is as much a request for help as `kuma-api-forge --help`.
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(help);
    return 0;
  }
  try {
    switch (command) {
      case 'check':
        return await runCheckCommand(rest, io);
      case 'render':
        return await runRender(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(help);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: check, render, --help)`);
    }
  } catch (error) {
    io.stderr(`kuma-api-forge: ${oneLine(error)}\n`);
    return 2;
  }
}

/** Users get one line, never a stack trace; the cause chain is joined so nothing useful is lost. */
function oneLine(error: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = error;
    e !== undefined && parts.length < 3;
    e = e instanceof Error ? e.cause : undefined
  ) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}
