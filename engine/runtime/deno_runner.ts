// Piecework code-step runner: runs one execution of a user's `code(inputs)` in this Deno process.
// Started ahead of demand, it waits for {nonce, inputs} as JSON on stdin (the step's source is
// written to ./step.ts before that), writes `<nonce><result JSON>` as the last stdout line and
// exits. An empty stdin means the pool closed without using this process.
const logs: string[] = [];
const show = (args: unknown[]) =>
  args.map((a) => (typeof a === "string" ? a : Deno.inspect(a, { depth: 6 }))).join(" ");
for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
  console[level] = (...args: unknown[]) => {
    if (logs.length < 1000) logs.push(show(args));
  };
}

const text = await new Response(Deno.stdin.readable).text();
if (text === "") Deno.exit(0);
const request = JSON.parse(text);
const nonce: string = request.nonce;
delete request.nonce;

async function emit(result: unknown) {
  const bytes = new TextEncoder().encode(nonce + JSON.stringify(result) + "\n");
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

function describe(err: unknown) {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack ?? "" };
  return { name: "Error", message: String(err), stack: "" };
}

let result: unknown;
try {
  const mod = await import(new URL("./step.ts", import.meta.url).href);
  if (typeof mod.code !== "function") {
    result = {
      ok: false,
      logs,
      error: {
        name: "CodeShapeError",
        message: "The code must export a function named code, e.g. export const code = async (inputs) => { ... }",
        stack: "",
      },
    };
  } else {
    const output = await mod.code(request.inputs);
    const json = JSON.stringify(output === undefined ? null : output);
    result = { ok: true, logs, output: JSON.parse(json) };
  }
} catch (err) {
  result = { ok: false, logs, error: describe(err) };
}
await emit(result);
Deno.exit(0);
