/* global console, performance, process */
// The Lambda runtime inside one worker thread: loads the deployed artifact once (cold start), then
// runs one invocation at a time, as one Lambda execution environment does. Plain JavaScript because
// a worker thread does not inherit the TypeScript loader of the process that starts it.
import { parentPort, threadId, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { format } from "node:util";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import vm from "node:vm";

const { codeDir, handler, functionName, functionVersion, memorySizeMb, invokedFunctionArn, logGroupName, logStreamName, runtimeModulesDir } =
  workerData;

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

// Handler output belongs to the invocation that is running: it travels on the same port as the
// result, so it is never attributed to the wrong invocation.
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  console[level] = (...args) => {
    parentPort.postMessage({ type: "log", requestId: currentRequestId, level, text: format(...args) });
  };
}

/**
 * Loads a CommonJS artifact with V8's code cache, kept beside it: the first environment of a
 * code version compiles it, every later one (scale-out, a replaced environment) starts 3 to 4
 * times faster. Returns undefined for anything that is not plain CommonJS, which `import()` loads.
 */
function loadCommonJsWithCodeCache(file) {
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  // On Node 20 a script compiled from a code cache made by another isolate (another worker) throws
  // "A dynamic import callback was not specified" at its first import(): the AWS SDK's bundles
  // import node:http lazily, so every environment after the first failed its first AWS call.
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
    // ES module syntax, or a real syntax error: import() tells which, with Node's own message.
    return undefined;
  }
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    try {
      // After the module ran, so the functions its initialisation compiled are in the cache too.
      writeFileSync(`${cacheFile}.${threadId}`, script.createCachedData());
      renameSync(`${cacheFile}.${threadId}`, cacheFile);
    } catch {
      // A cache is an optimisation: without it the next environment compiles again.
    }
  }
  return { loaded: module.exports };
}

let loaded;
async function loadHandler() {
  if (loaded) return loaded;
  const dot = handler.lastIndexOf(".");
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  let module;
  try {
    module = loadCommonJsWithCodeCache(join(codeDir, `${modulePath}.js`))?.loaded;
  } catch (error) {
    throw Object.assign(error, { lambdaType: "Runtime.ImportModuleError" });
  }
  for (const extension of module ? [] : [".js", ".mjs", ".cjs"]) {
    try {
      module = await import(pathToFileURL(join(codeDir, modulePath + extension)).href);
      break;
    } catch (error) {
      if (error?.code !== "ERR_MODULE_NOT_FOUND") throw Object.assign(error, { lambdaType: "Runtime.ImportModuleError" });
    }
  }
  if (!module) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'`), { lambdaType: "Runtime.ImportModuleError" });
  }
  const fn = module[exportName] ?? module.default?.[exportName];
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${handler} is undefined or not exported`), { lambdaType: "Runtime.HandlerNotFound" });
  }
  loaded = fn;
  return fn;
}

function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.lambdaType ?? error.name ?? "Error",
      errorMessage: error.message,
      trace: String(error.stack ?? "").split("\n"),
    };
  }
  return { errorType: "Error", errorMessage: typeof error === "string" ? error : JSON.stringify(error), trace: [] };
}

function callHandler(fn, event, context) {
  // nodejs24.x only calls promise-style handlers; a three-argument handler still gets a callback
  // so code written for older runtimes fails or succeeds visibly instead of hanging.
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = fn(event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (result && typeof result.then === "function") result.then(resolve, reject);
    });
  }
  return fn(event, context);
}

parentPort.on("message", async (message) => {
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
  try {
    const cold = !loaded;
    const started = performance.now();
    const fn = await loadHandler();
    const initMs = cold ? performance.now() - started : 0;
    if (cold) {
      deadline = Date.now() + timeoutMs;
      parentPort.postMessage({ type: "initialized", requestId });
    }
    // Lambda hands back what JSON.stringify makes of the result (Dates become strings, and so on).
    const value = await callHandler(fn, event, context);
    parentPort.postMessage({ type: "result", requestId, ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)), initMs });
  } catch (error) {
    parentPort.postMessage({ type: "result", requestId, ok: false, error: errorPayload(error) });
  } finally {
    currentRequestId = undefined;
  }
});

process.on("unhandledRejection", (reason) => {
  parentPort.postMessage({
    type: "crash",
    requestId: currentRequestId,
    error: { ...errorPayload(reason), errorType: "Runtime.UnhandledPromiseRejection" },
  });
});
