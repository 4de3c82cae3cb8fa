#!/usr/bin/env node
// The CLI entry installed by npm; the code lives in shared/cli and is bundled to dist/ by `npm run build`.
import module from 'node:module';

// Node 22.1+: keep V8's compiled code of the bundle on disk (by default in <os.tmpdir()>/node-compile-cache, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so later runs skip compiling it. It never
// throws: where the directory cannot be written, runs simply compile as without it. Node 20 has no such API.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// A reader that stops early (`check … | head -c 0`) closes the pipe: stop writing to it and exit with the
// command's own code, without a stack trace.
const closedPipe = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
const writer = (stream) => {
  stream.on('error', (error) => {
    if (!closedPipe.has(error.code)) throw error;
  });
  return (text) => {
    if (!stream.destroyed) stream.write(text);
  };
};

process.exitCode = await main(process.argv.slice(2), {
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  cwd: process.cwd(),
});
