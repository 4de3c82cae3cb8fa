// The local GitHub's git processes are started from here, a small Node process of its own, rather than from the
// process serving the local GitHub. On Linux Node starts a child with fork(), which copies the parent's page
// tables: from a test worker of ~1 GB that costs ~40 ms of blocked event loop per git call, from this process
// ~5 ms. One request per message on the IPC channel: {id, args, env, input?} → {id, code, stdout, stderr} or
// {id, error}. It exits with its parent (the channel closes).
import { spawn } from 'node:child_process';

process.on('message', ({ id, args, env, input }) => {
  const child = spawn('git', args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const stdout = [];
  const stderr = [];
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  child.on('error', (error) => process.send({ id, error: error.message }));
  child.on('close', (code) =>
    process.send({ id, code: code ?? 1, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }),
  );
  if (child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(input === undefined ? undefined : Buffer.from(input));
  }
});
process.on('disconnect', () => process.exit(0));
