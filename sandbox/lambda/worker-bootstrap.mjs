/* global console, performance, process */
// The Lambda runtime inside one worker thread: loads the deployed artifact once (cold start), then
// runs one invocation at a time, as one Lambda execution environment does. Plain JavaScript because
// a worker thread does not inherit the TypeScript loader of the process that starts it.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { format } from "node:util";

const { codeDir, handler, functionName, functionVersion, memorySizeMb, invokedFunctionArn, logGroupName, logStreamName } =
  workerData;

let currentRequestId;

// Handler output belongs to the invocation that is running: it travels on the same port as the
// result, so it is never attributed to the wrong invocation.
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  console[level] = (...args) => {
    parentPort.postMessage({ type: "log", requestId: currentRequestId, level, text: format(...args) });
  };
}

let loaded;
async function loadHandler() {
  if (loaded) return loaded;
  const dot = handler.lastIndexOf(".");
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  let module;
  for (const extension of [".js", ".mjs", ".cjs"]) {
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
  const { requestId, event, deadline } = message;
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
