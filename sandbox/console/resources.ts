import { types, type ResourceIndex } from "../model/resource-index";
import { coverageOf, unhonouredInputs } from "../services/coverage";
import { httpApisOf } from "../services/apigateway/api-model";
import { subscriptionType } from "../services/sns/topics";
import type { LocalFunction } from "../services/lambda/function";
import type { ResourceView, FunctionView } from "./api-types";

/** Every resource the program declared, grouped by AWS service, with how far each is emulated. */
export function resourcesByService(index: ResourceIndex): {
  project: string;
  stack: string;
  services: Array<{ service: string; resources: ResourceView[] }>;
  unhonoured: string[];
} {
  const services = new Map<string, ResourceView[]>();
  for (const resource of index.deployment.resources) {
    const coverage = coverageOf(resource);
    if (!coverage) continue;
    const service = /^aws:([^/]+)\//.exec(resource.type)?.[1] ?? resource.type.split(":")[0];
    const localName = String(resource.state.name ?? resource.state.bucket ?? resource.id);
    const list = services.get(service) ?? [];
    list.push({ type: resource.type.replace(/^aws:[^/]+\//, "").replace(/:.*$/, ""), logicalName: resource.name, localName, coverage });
    services.set(service, list);
  }
  return {
    project: index.deployment.project,
    stack: index.deployment.stack,
    services: [...services.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([service, resources]) => ({ service, resources })),
    unhonoured: unhonouredInputs(index.deployment.resources),
  };
}

export function functionViews(index: ResourceIndex, functions: Iterable<LocalFunction>): FunctionView[] {
  const triggers = new Map<string, string[]>();
  const add = (ref: unknown, text: string) => {
    const name = index.functionByRef(ref)?.state.name;
    if (typeof name === "string") triggers.set(name, [...(triggers.get(name) ?? []), text]);
  };
  for (const notification of index.all(types.bucketNotification)) {
    for (const target of (notification.inputs.lambdaFunctions as Array<Record<string, string>> | undefined) ?? []) {
      add(target.lambdaFunctionArn, `s3 ${notification.inputs.bucket}/${target.filterPrefix ?? ""}*${target.filterSuffix ?? ""}`);
    }
  }
  for (const mapping of index.all(types.eventSourceMapping))
    add(mapping.inputs.functionName, `sqs ${String(mapping.inputs.eventSourceArn).split(":").pop()}`);
  for (const subscription of index.all(subscriptionType)) {
    if (subscription.inputs.protocol === "lambda")
      add(subscription.inputs.endpoint, `sns ${String(subscription.inputs.topic).split(":").pop()}`);
  }
  for (const api of httpApisOf(index).apis) {
    for (const route of api.routes) {
      const integration = api.integrations.get(String(route.target ?? "").replace(/^integrations\//, ""));
      if (integration) add(integration.functionRef, `http ${route.routeKey}`);
    }
    for (const authorizer of api.authorizers.values()) add(authorizer.functionRef, `http authorizer ${authorizer.name}`);
  }
  return [...functions].map((fn) => ({
    name: fn.spec.name,
    logicalName: fn.spec.logicalName,
    runtime: fn.spec.runtime,
    memorySizeMb: fn.spec.memorySizeMb,
    timeoutSeconds: fn.spec.timeoutSeconds,
    triggers: triggers.get(fn.spec.name) ?? [],
  }));
}
