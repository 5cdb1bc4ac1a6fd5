// Piecework context server (the default code-step isolation, PW_CODE_ISOLATION=CONTEXT): runs
// many executions in this one warm Deno process, each in a fresh V8 context (node:vm) that holds
// nothing of the host: no Deno, fetch, timers or host objects; inputs arrive as a JSON string
// parsed inside the context and results leave as a JSON string made inside it.
// Protocol: one request per stdin line, {nonce, kind: "code" | "expression", code, inputs (JSON
// text), names (expression scope variables), timeoutMs}; one answer per stdout line,
// `<nonce><answer JSON>`. Requests run one at a time, synchronously: with microtaskMode
// "afterEvaluate" the context's promise jobs run inside runInContext, under its timeout, so an
// execution is over when runInContext returns.
import vm from "node:vm";

// Globals a step may use in a process but that a context does not have. A step that mentions one
// (or imports anything) is handed back to Python to run in its own process, so a step never sees
// `typeof fetch === "undefined"` in one mode and a function in the other. A step that fails with
// a ReferenceError on one (reached without naming it) is handed back too: it had no side effects,
// a context can do no I/O.
const HOST_GLOBALS = [
  "fetch", "Deno", "setTimeout", "setInterval", "clearTimeout", "clearInterval", "queueMicrotask",
  "structuredClone", "crypto", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "Headers",
  "Request", "Response", "FormData", "Blob", "atob", "btoa", "performance", "navigator",
  "WebSocket", "AbortController", "AbortSignal", "EventTarget", "Worker", "process", "Buffer",
  "require", "setImmediate", "reportError", "import", "localStorage", "sessionStorage",
  "BroadcastChannel", "MessageChannel", "ReadableStream", "WritableStream", "TransformStream",
  "CompressionStream", "DecompressionStream", "DOMException",
];
const HOST_GLOBAL_SET = new Set(HOST_GLOBALS);
const MENTIONS_HOST = new RegExp(`(?<![\\w$])(?:${HOST_GLOBALS.join("|")})(?![\\w$])`);

// Runs inside each new context before the step: console capture and the driver, built from the
// context's own intrinsics, captured before the step can replace them.
const PRELUDE = `(() => {
  // Its cleanup callbacks are tasks of the host's event loop: they would run after the
  // execution, outside its timeout, during someone else's. Nothing else of a context runs late:
  // its promise jobs run in its own queue, which is drained only inside runInContext.
  delete globalThis.FinalizationRegistry;
  const stringify = JSON.stringify, parse = JSON.parse, StringOf = String;
  const apply = Reflect.apply, then = Promise.prototype.then, PromiseOf = Promise;
  const settle = (value, onOk, onError) =>
    apply(then, new PromiseOf((resolve) => resolve(value)), [onOk, onError]);
  const defineProperty = Object.defineProperty;
  const logs = [];
  let state;
  const show = (args) => {
    const parts = [];
    for (const a of args) {
      try {
        if (typeof a === "string") parts[parts.length] = a;
        else if (a !== null && typeof a === "object" && typeof a.stack === "string") parts[parts.length] = StringOf(a.name) + ": " + StringOf(a.message);
        else if (typeof a === "function" || typeof a === "symbol" || typeof a === "bigint" || a === undefined) parts[parts.length] = StringOf(a);
        else parts[parts.length] = stringify(a) ?? StringOf(a);
      } catch { parts[parts.length] = "[unprintable]"; }
    }
    const line = parts.join(" ");
    return line.length > 10000 ? line.slice(0, 10000) + "… (cut at 10,000 characters)" : line;
  };
  const console = {};
  for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
    console[level] = (...args) => { if (logs.length < 1000) logs[logs.length] = show(args); };
  }
  defineProperty(globalThis, "console", { value: console, writable: true, configurable: true });
  const describe = (err) => {
    try {
      if (err !== null && typeof err === "object") {
        return { name: StringOf(err.name), message: StringOf(err.message), stack: StringOf(err.stack ?? "") };
      }
      return { name: "Error", message: StringOf(err), stack: "" };
    } catch {
      return { name: "Error", message: "the code threw a value that cannot be described", stack: "" };
    }
  };
  const finish = (result) => {
    try { state = stringify(result); } catch (err) { state = stringify({ ok: false, logs, error: describe(err) }); }
  };
  // The context is made ahead of demand; the inputs arrive with the request, and __pw_take
  // moves them out of sight before the step runs.
  let inputsJson, taken = false;
  defineProperty(globalThis, "__pw_take", {
    configurable: false,
    writable: false,
    value: () => {
      if (taken) return;
      taken = true;
      inputsJson = globalThis.__pw_inputs;
      delete globalThis.__pw_inputs;
    },
  });
  defineProperty(globalThis, "__pw_state", { get: () => state, configurable: false });
  defineProperty(globalThis, "__pw_start", {
    configurable: false,
    writable: false,
    value: (loaded) => {
      settle(loaded, (code) => {
        if (typeof code !== "function") {
          const message = code === undefined
            ? "The code must export a function named code, e.g. export const code = async (inputs) => { ... }"
            : "The code exports code as a " + typeof code + ", not a function; write export const code = async (inputs) => { ... }";
          finish({ ok: false, logs, error: { name: "CodeShapeError", message, stack: "" } });
          return;
        }
        let pending;
        // The inputs' JSON text is dropped once parsed: a big payload is held once, not twice.
        let inputs;
        try { inputs = parse(inputsJson); inputsJson = undefined; } catch (err) { finish({ ok: false, logs, error: describe(err) }); return; }
        try { pending = code(inputs); } catch (err) { finish({ ok: false, logs, error: describe(err) }); return; }
        settle(pending, (output) => {
          try {
            const json = stringify(output);
            if (json === undefined && output !== undefined) {
              finish({ ok: false, logs, error: { name: "NonJsonResult", message: "The result is a " + typeof output + ", which is not JSON; return data (objects, arrays, strings, numbers, booleans or null)", stack: "" } });
              return;
            }
            // Built around the output's JSON text: parsing it back and writing it again would
            // hold two more copies of a big result in the heap.
            state = '{"ok":true,"logs":' + stringify(logs) + ',"output":' + (json ?? "null") + "}";
          } catch (err) { finish({ ok: false, logs, error: describe(err) }); }
        }, (err) => finish({ ok: false, logs, error: describe(err) }));
      }, (err) => finish({ ok: false, logs, error: describe(err) }));
    },
  });
})();`;

// `export` before the code declaration is the only module syntax a context script can take
// (Activepieces steps are written this way); anything else (imports, TypeScript) does not
// compile as a script and is handed back to run in a process.
const EXPORT = /^(\s*)export\s+(?=(?:const|let|var|async\s+function|function)\s)/gm;

function wrapCode(code: string): string {
  // Kept on the step's first line so that line numbers in errors stay those of the step.
  return `__pw_start((async () => {${code.replace(EXPORT, "$1")}\n;return typeof code === "undefined" ? undefined : code})());`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function wrapExpression(expression: string, names: string[]): string {
  const declared = names.filter((name) => IDENTIFIER.test(name));
  const scope = declared.length ? `const { ${declared.join(", ")} } = __pw_scope;` : "";
  return `__pw_start((__pw_scope) => { ${scope} return (\n${expression}\n); });`;
}

type Request = {
  kind: "code" | "expression";
  code: string;
  inputs: string;
  names?: string[];
  timeoutMs: number;
};
type Answer = { fallback: true } | { ok: boolean; logs: string[]; output?: unknown; error?: unknown };

function failure(name: string, message: string): Answer {
  return { ok: false, logs: [], error: { name, message, stack: "" } };
}

function compile(request: Request): vm.Script | Answer {
  if (request.kind === "code" && MENTIONS_HOST.test(request.code)) return { fallback: true };
  const source = request.kind === "code"
    ? wrapCode(request.code)
    : wrapExpression(request.code, request.names ?? []);
  try {
    return new vm.Script(source, { filename: request.kind === "code" ? "step.js" : "expression" });
  } catch (err) {
    if (request.kind === "code") return { fallback: true };
    return failure("SyntaxError", String((err as Error).message));
  }
}

const CONTEXT_OPTIONS = {
  microtaskMode: "afterEvaluate",
  codeGeneration: { strings: true, wasm: false },
} as const;
const PRELUDE_SCRIPT = new vm.Script(PRELUDE, { filename: "prelude" });
const TAKE_SCRIPT = new vm.Script("__pw_take();", { filename: "prelude" });

// The next execution's context, made while the process waits for a request (creating one is
// most of an execution's cost); it is used by one execution only, then dropped.
let ready: vm.Context | null = null;

function freshContext(): vm.Context {
  const context = vm.createContext(Object.create(null), CONTEXT_OPTIONS);
  PRELUDE_SCRIPT.runInContext(context);
  return context;
}

function takeContext(): vm.Context {
  const context = ready ?? freshContext();
  ready = null;
  return context;
}

// A string answer is JSON text already.
function execute(request: Request): Answer | string {
  const script = compile(request);
  if (!(script instanceof vm.Script)) return script;
  const context = takeContext();
  context.__pw_inputs = request.inputs;
  request.inputs = ""; // the context holds the only reference, see PRELUDE
  try {
    TAKE_SCRIPT.runInContext(context);
    script.runInContext(context, { timeout: request.timeoutMs });
  } catch (err) {
    if (String(err).includes("Script execution timed out")) return '"timeout"';
    return failure("Error", "The code step could not run");
  }
  const state = vm.runInContext("__pw_state", context);
  if (typeof state !== "string") return '"unsettled"';
  // A success goes out as the context wrote it (no second parse of a big result); a newline
  // would break the framing, and JSON.stringify never writes one, so such a state is refused.
  if (state.startsWith('{"ok":true') && !state.includes("\n")) return state;
  const answer = JSON.parse(state);
  const error = answer.error;
  if (request.kind === "code" && !answer.ok && error?.name === "ReferenceError") {
    const missing = /^(\S+) is not defined$/.exec(String(error.message));
    if (missing && HOST_GLOBAL_SET.has(missing[1])) return { fallback: true };
  }
  return answer;
}

// Hardening of the host realm: nothing from a context should ever reach it, and if something
// did, it could not patch the intrinsics every execution shares.
for (const value of [
  Object, Object.prototype, Function, Function.prototype, Array, Array.prototype, String,
  String.prototype, Number.prototype, Boolean.prototype, Symbol.prototype, Promise,
  Promise.prototype, JSON, Math, Reflect, Error, Error.prototype, RegExp.prototype, Map.prototype,
  Set.prototype,
]) Object.freeze(value);

const encoder = new TextEncoder();
async function write(text: string) {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

// Lines are cut from the raw bytes and decoded once: appending decoded chunks to a string makes
// V8 flatten ever longer strings, which runs a 10 MB request out of heap.
const decoder = new TextDecoder();
async function handle(line: Uint8Array) {
  const request = JSON.parse(decoder.decode(line));
  const answer = execute(request);
  await write(request.nonce + (typeof answer === "string" ? answer : JSON.stringify(answer)) + "\n");
  ready ??= freshContext();
}

ready = freshContext();

let pending: Uint8Array[] = [];
for await (const chunk of Deno.stdin.readable) {
  let start = 0;
  let end;
  while ((end = chunk.indexOf(10, start)) >= 0) {
    pending.push(chunk.subarray(start, end));
    const line = new Uint8Array(pending.reduce((size, part) => size + part.length, 0));
    let offset = 0;
    for (const part of pending) {
      line.set(part, offset);
      offset += part.length;
    }
    pending = [];
    await handle(line);
    start = end + 1;
  }
  if (start < chunk.length) pending.push(chunk.slice(start));
}
