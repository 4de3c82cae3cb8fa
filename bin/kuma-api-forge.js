#!/usr/bin/env node
// The CLI entry installed by npm; the code lives in shared/cli and is bundled to dist/ by `npm run build`.
import { main } from '../dist/cli/main.js';

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
