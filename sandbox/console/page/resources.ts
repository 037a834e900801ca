import { get } from "./api";
import { byId, fill, h, table } from "./dom";
import type { Resources } from "./types";

/** What the program declared, by service, with the names it has here and how far each is emulated. */
export async function loadResources(): Promise<Resources> {
  const resources = await get<Resources>("resources");
  fill(
    byId("resources"),
    resources.services.map(({ service, resources: list }) =>
      h(
        "section",
        { class: "service", "data-service": service },
        h("h3", {}, service),
        table(
          ["type", "name in the program", "name here", "coverage"],
          list.map((resource) => [
            resource.type,
            resource.logicalName,
            h("code", {}, resource.localName),
            h(
              "span",
              { class: resource.coverage === "emulated" ? "ok" : resource.coverage === "not emulated" ? "bad" : "muted" },
              resource.coverage,
            ),
          ]),
        ),
      ),
    ),
    resources.unhonoured.length > 0
      ? [
          h("h3", {}, "Inputs not honoured"),
          h(
            "ul",
            {},
            resources.unhonoured.map((line) => h("li", {}, line)),
          ),
        ]
      : null,
  );
  return resources;
}
