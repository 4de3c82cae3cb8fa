// Preloaded by bench/startup.mjs (`node --require bench/startup-probe.cjs …`) into a CLI run: records when user
// code first runs (Node's own start-up before it), the CPU time Ajv spends compiling schemas, grouped by the first
// function outside node_modules that asked for it, and the process's CPU and wall time at exit. Writes them as
// JSON to the file named by KAF_STARTUP_PROBE. Ajv is CommonJS, so patching it here patches the copy the CLI's
// bundle imports.
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const out = process.env.KAF_STARTUP_PROBE;
const bootMs = performance.now();
const compileMs = {};
let depth = 0;

const Ajv = require(require.resolve('ajv/dist/core', { paths: [process.cwd()] })).default;
const compileSchemaEnv = Ajv.prototype._compileSchemaEnv;
Ajv.prototype._compileSchemaEnv = function (...args) {
  if (depth > 0) return compileSchemaEnv.apply(this, args);
  depth++;
  const start = process.cpuUsage();
  try {
    return compileSchemaEnv.apply(this, args);
  } finally {
    depth--;
    const used = process.cpuUsage(start);
    const caller = callerOutsideDependencies();
    compileMs[caller] = (compileMs[caller] ?? 0) + (used.user + used.system) / 1000;
  }
};

/** `function (file)` of the first stack frame outside node_modules and this file. */
function callerOutsideDependencies() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const frames = new Error().stack.split('\n').slice(1);
  Error.stackTraceLimit = limit;
  for (const frame of frames) {
    if (frame.includes('node_modules') || frame.includes(__filename) || frame.includes('node:')) continue;
    const match = /at (?:async )?(\S+) \((.*?):\d+:\d+\)/.exec(frame);
    if (match) return `${match[1]} (${path.basename(match[2])})`;
  }
  return '(unknown)';
}

process.on('exit', () => {
  const cpu = process.cpuUsage();
  if (out)
    writeFileSync(
      out,
      JSON.stringify({
        bootMs,
        wallMs: performance.now(),
        cpuMs: (cpu.user + cpu.system) / 1000,
        compileMs,
      }),
    );
});
