// Piecework code-step runner: runs one execution of a user's `code(inputs)` in this Deno process.
// Started ahead of demand, it waits for {nonce, inputs} as JSON on stdin (the step's source is
// written to ./step.ts before that), writes `<nonce><result JSON>` as the last stdout line and
// exits. An empty stdin means the pool closed without using this process.
// What the runner needs after the step ran, captured before the step can replace it.
const stringify = JSON.stringify, parse = JSON.parse;
const encoder = new TextEncoder();
const stdout = Deno.stdout;
const write = stdout.write.bind(stdout);
const exit = Deno.exit;
const logs: string[] = [];
// The same formatting and bounds (1,000 lines of 10,000 characters) as in a context
// (deno_context_server.ts), so a step logs the same lines whichever way it runs.
const show = (args: unknown[]) =>
  args.map((a) => {
    try {
      if (typeof a === "string") return a;
      if (a instanceof Error) return `${a.name}: ${a.message}`;
      if (typeof a === "function" || typeof a === "symbol" || typeof a === "bigint" || a === undefined) {
        return String(a);
      }
      return stringify(a) ?? String(a);
    } catch {
      return "[unprintable]";
    }
  }).join(" ");
for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
  console[level] = (...args: unknown[]) => {
    if (logs.length >= 1000) return;
    const line = show(args);
    logs.push(line.length > 10000 ? line.slice(0, 10000) + "… (cut at 10,000 characters)" : line);
  };
}

// Deno sets up its Node compatibility layer on the first npm or node: import (~30 ms, several
// times that on a loaded machine); doing it while the process waits for its request takes that
// off the latency of steps that import npm packages.
await import("node:module");
await import("node:process");

const text = await new Response(Deno.stdin.readable).text();
if (text === "") Deno.exit(0);
const request = JSON.parse(text);
const nonce: string = request.nonce;
delete request.nonce;

async function emit(result: unknown) {
  const bytes = encoder.encode(nonce + stringify(result) + "\n");
  let written = 0;
  while (written < bytes.length) written += await write(bytes.subarray(written));
}

function describe(err: unknown) {
  if (err instanceof Error) {
    // fetch() reports a refused address as "fetch failed" with the reason in its cause.
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return { name: err.name, message: err.message + cause, stack: err.stack ?? "" };
  }
  return { name: "Error", message: String(err), stack: "" };
}

let result: unknown;
try {
  const mod = await import(new URL("./step.ts", import.meta.url).href);
  if (typeof mod.code !== "function") {
    const message = mod.code === undefined
      ? "The code must export a function named code, e.g. export const code = async (inputs) => { ... }"
      : `The code exports code as a ${typeof mod.code}, not a function; write export const code = async (inputs) => { ... }`;
    result = { ok: false, logs, error: { name: "CodeShapeError", message, stack: "" } };
  } else {
    const output = await mod.code(request.inputs);
    const json = stringify(output);
    if (json === undefined && output !== undefined) {
      const message = `The result is a ${typeof output}, which is not JSON; return data (objects, arrays, strings, numbers, booleans or null)`;
      result = { ok: false, logs, error: { name: "NonJsonResult", message, stack: "" } };
    } else {
      result = { ok: true, logs, output: json === undefined ? null : parse(json) };
    }
  }
} catch (err) {
  result = { ok: false, logs, error: describe(err) };
}
await emit(result);
exit(0);
