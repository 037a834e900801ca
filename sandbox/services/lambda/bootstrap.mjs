/* global console, process */
// The Lambda Node.js runtime of one execution environment: a process of the Node major the
// function's runtime declares. It loads the handler once (the init phase), then runs one invocation
// at a time, as Lambda's runtime interface client does; invocations and results travel over the
// IPC channel of the sandbox that started it. Plain JavaScript that runs on every Node major the
// sandbox supports, because it runs on the function's Node, not the sandbox's.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { format, types } from "node:util";
import Module, { createRequire } from "node:module";
import vm from "node:vm";

const {
  codeDir,
  handler,
  functionName,
  functionVersion,
  memorySizeMb,
  invokedFunctionArn,
  logGroupName,
  logStreamName,
  runtimeModulesDir,
  compileCacheDir,
} = JSON.parse(process.argv[2]);
const jsonLogs = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === "JSON";

// Lambda's Node.js runtimes provide the AWS SDK v3 (`@aws-sdk/...`) beside the function's code:
// what the artifact does not package itself is resolved from the sandbox's copy, and only that.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  try {
    return resolveFilename.call(this, request, parent, isMain, options);
  } catch (error) {
    if (error?.code !== "MODULE_NOT_FOUND" || !request.startsWith("@aws-sdk/")) throw error;
    try {
      return resolveFilename.call(this, request, parent, isMain, { paths: [runtimeModulesDir] });
    } catch {
      error.message += `\n(Lambda's runtime provides every @aws-sdk v3 client; the sandbox has only those it installs itself: package this one with the function to run it here)`;
      throw error;
    }
  }
};

let currentRequestId;
const send = (message) => process.connected && process.send(message);

// Handler output belongs to the invocation that is running: it travels on the same channel as the
// result, so it is never attributed to the wrong invocation.
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  console[level] = (...args) => send({ type: "log", requestId: currentRequestId, level, text: format(...args) });
}

// The runtime's own errors, named as Lambda reports them (the name on the class, not on each error,
// so it is not repeated among the properties the runtime logs).
const runtimeErrorClasses = new Map();
function runtimeError(name, message) {
  if (!runtimeErrorClasses.has(name)) {
    const RuntimeError = class extends Error {};
    RuntimeError.prototype.name = `Runtime.${name}`;
    runtimeErrorClasses.set(name, RuntimeError);
  }
  return new (runtimeErrorClasses.get(name))(message);
}

/** What Lambda's runtime logs for an error it catches (`Invoke Error`, `Uncaught Exception`...), in the function's log format. */
function logError(heading, error) {
  if (jsonLogs) {
    const described =
      error instanceof Error
        ? {
            errorType: error.constructor?.name ?? "UnknownError",
            errorMessage: error.message,
            stackTrace: String(error.stack ?? "").split("\n"),
          }
        : error;
    console.error(JSON.stringify({ timestamp: new Date().toISOString(), level: "ERROR", requestId: currentRequestId, message: described }));
    return;
  }
  const described =
    error instanceof Error
      ? { errorType: error.name, errorMessage: error.message, code: error.code, ...error, stack: String(error.stack ?? "").split("\n") }
      : error;
  console.error(heading, `\t${JSON.stringify(described)}`);
}

/** The error as Lambda returns it to the caller. */
function errorPayload(error) {
  if (
    types.isNativeError(error) ||
    (error && typeof error.name === "string" && typeof error.message === "string" && typeof error.stack === "string")
  ) {
    return { errorType: error.name, errorMessage: error.message, trace: error.stack.split("\n") };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/**
 * Node 22 and later keep V8's compiled code on disk themselves: the first environment of a code
 * version compiles it, every later one (scale-out, a replaced environment) starts faster.
 */
const nativeCompileCache = typeof Module.enableCompileCache === "function";
if (nativeCompileCache && compileCacheDir) Module.enableCompileCache(compileCacheDir);

/**
 * Node 20 has no compile cache of its own: a CommonJS file is compiled with V8's code cache kept
 * beside it. Returns undefined for anything it does not handle (ES modules, syntax errors, source
 * maps), which `require` then loads with Node's own semantics and messages.
 */
function requireWithCodeCache(file) {
  // A script compiled here is not one Node's loader knows: it would get no source map.
  if (nativeCompileCache || process.sourceMapsEnabled) return undefined;
  const source = readFileSync(file, "utf8");
  // On Node 20 a script compiled from a code cache made by another isolate throws "A dynamic import
  // callback was not specified" at its first import(): the AWS SDK's bundles import lazily.
  if (source.includes("import(")) return undefined;
  const cacheFile = `${file}.v8-cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  let script;
  try {
    script = new vm.Script(Module.wrap(source), {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    return undefined;
  }
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    try {
      // After the module ran, so the functions its initialisation compiled are in the cache too.
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    } catch {
      // A cache is an optimisation: without it the next environment compiles again.
    }
  }
  return { exports: module.exports };
}

const require = createRequire(join(codeDir, "index.js"));
const requireFile = (path) => (existsSync(path) ? (requireWithCodeCache(path)?.exports ?? require(path)) : undefined);
const importFile = async (path) => (existsSync(path) ? await import(pathToFileURL(path).href) : undefined);

/** Whether the nearest package.json above a folder says `"type": "module"` (a node_modules folder ends the search). */
function typeModuleAbove(folder) {
  if (basename(folder) === "node_modules") return false;
  const manifest = join(folder, "package.json");
  if (existsSync(manifest)) {
    try {
      return JSON.parse(readFileSync(manifest, "utf8"))?.type === "module";
    } catch {
      return false;
    }
  }
  const parent = dirname(folder);
  return parent === folder ? false : typeModuleAbove(parent);
}

/**
 * The module of a handler setting, found as Lambda's runtime finds it: the file without an
 * extension, then `.js` (CommonJS unless a package.json says `"type": "module"`), `.mjs` (an ES
 * module, top-level await included), `.cjs`, and last a package of that name.
 */
async function loadModule(moduleRoot, moduleName) {
  const base = resolve(codeDir, moduleRoot, moduleName);
  const extensionless = requireFile(base);
  if (extensionless) return extensionless;
  const esm = existsSync(`${base}.js`) && typeModuleAbove(dirname(`${base}.js`));
  if (!esm) {
    const loaded = requireFile(`${base}.js`);
    if (loaded) return loaded;
  }
  const loaded = (esm && (await importFile(`${base}.js`))) || (await importFile(`${base}.mjs`)) || requireFile(`${base}.cjs`);
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [codeDir, resolve(codeDir, moduleRoot)] }));
}

let loaded;
async function loadHandler() {
  if (loaded) return loaded;
  if (handler.includes("..")) {
    throw runtimeError(
      "MalformedHandlerName",
      `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const handlerString = basename(handler);
  const moduleRoot = handler.slice(0, handler.length - handlerString.length);
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw runtimeError("MalformedHandlerName", "Bad handler");
  const [, moduleName, handlerPath] = match;
  let module;
  try {
    module = await loadModule(moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw runtimeError("UserCodeSyntaxError", String(error));
    if (error?.code === "MODULE_NOT_FOUND") throw runtimeError("ImportModuleError", String(error));
    throw error;
  }
  const fn = handlerPath.split(".").reduce((nested, key) => nested?.[key], module);
  if (!fn) throw runtimeError("HandlerNotFound", `${handler} is undefined or not exported`);
  if (typeof fn !== "function") throw runtimeError("HandlerNotFound", `${handler} is not a function`);
  // The compile cache is written when the process ends; scale-out environments start now.
  Module.flushCompileCache?.();
  loaded = fn;
  return fn;
}

function callHandler(fn, event, context) {
  // nodejs24.x only calls promise-style handlers; a three-argument handler still gets a callback
  // so code written for older runtimes fails or succeeds visibly instead of hanging.
  if (fn.length >= 3) {
    return new Promise((resolvePromise, reject) => {
      const result = fn(event, context, (error, value) => (error ? reject(error) : resolvePromise(value)));
      if (result && typeof result.then === "function") result.then(resolvePromise, reject);
    });
  }
  return fn(event, context);
}

process.on("message", async (message) => {
  if (message.type !== "invoke") return;
  const { requestId, event, timeoutMs } = message;
  // Set once the init phase is over: the invocation's time starts then.
  let deadline = Date.now() + timeoutMs;
  currentRequestId = requestId;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn,
    memoryLimitInMB: String(memorySizeMb),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const cold = !loaded;
  let fn;
  try {
    fn = await loadHandler();
    if (cold) {
      deadline = Date.now() + timeoutMs;
      send({ type: "initialized", requestId });
    }
  } catch (error) {
    // An init failure: Lambda logs it and reports it to the caller; the next invocation tries again.
    logError("Uncaught Exception", error);
    send({ type: "result", requestId, ok: false, error: errorPayload(error) });
    currentRequestId = undefined;
    return;
  }
  try {
    // Lambda hands back what JSON.stringify makes of the result (Dates become strings, and so on).
    const value = await callHandler(fn, event, context);
    send({ type: "result", requestId, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  } catch (error) {
    logError("Invoke Error", error);
    send({ type: "result", requestId, ok: false, error: errorPayload(error) });
  } finally {
    currentRequestId = undefined;
  }
});

// An error nothing caught ends the execution environment, as on Lambda: the sandbox ends this
// process when it hears of it.
process.on("uncaughtException", (error) => {
  logError("Uncaught Exception", error);
  send({ type: "crash", requestId: currentRequestId, error: errorPayload(error) });
});
process.on("unhandledRejection", (reason) => {
  const error = Object.assign(runtimeError("UnhandledPromiseRejection", String(reason)), { reason });
  logError("Unhandled Promise Rejection", error);
  send({ type: "crash", requestId: currentRequestId, error: errorPayload(error) });
});
// The sandbox went away (or ended this environment): nothing more will come.
process.on("disconnect", () => process.exit());

send({ type: "ready" });
