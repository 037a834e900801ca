import { eventsUrl, get } from "./api";
import { byId, fill } from "./dom";
import { lineChart } from "./chart";
import { InvocationsView } from "./invocations";
import { QueuesView } from "./queues";
import { TablesView } from "./tables";
import { BucketsView } from "./buckets";
import { AlarmsView } from "./alarms";
import { loadResources } from "./resources";
import type { AlarmChange, Chart, InvocationSummary, QueueView, Tick } from "./types";

const invocations = new InvocationsView();
const queues = new QueuesView();
const tables = new TablesView();
const buckets = new BucketsView();
const alarms = new AlarmsView();

function showTab(name: string): void {
  document.querySelectorAll<HTMLElement>("main > section").forEach((section) => (section.hidden = section.id !== `tab-${name}`));
  document
    .querySelectorAll<HTMLButtonElement>("nav button[data-tab]")
    .forEach((button) => button.classList.toggle("active", button.dataset.tab === name));
  if (name === "buckets") void buckets.list();
}

function drawChart(chart: Chart): void {
  fill(
    byId("chart"),
    lineChart(
      [
        { label: "invocations", values: chart.invocations, className: "invocations" },
        { label: "errors", values: chart.errors, className: "errors" },
        { label: "queue depth", values: chart.queueDepth, className: "depth" },
      ],
      chart.stepSeconds,
    ),
  );
}

/** The server pushes invocations and alarm changes as they happen, and queue figures every second. */
function listen(): void {
  const events = new EventSource(eventsUrl);
  const live = byId("live");
  events.onopen = () => {
    live.textContent = "live";
    live.className = "badge ok";
  };
  events.onerror = () => {
    live.textContent = "disconnected: is the sandbox running?";
    live.className = "badge bad";
  };
  events.addEventListener("invocation", (event) => invocations.add(JSON.parse((event as MessageEvent).data) as InvocationSummary));
  events.addEventListener("alarm", (event) => alarms.change(JSON.parse((event as MessageEvent).data) as AlarmChange));
  events.addEventListener("tick", (event) => {
    const tick = JSON.parse((event as MessageEvent).data) as Tick;
    queues.render(tick.queues);
    alarms.render(tick.alarms);
    drawChart(tick.chart);
  });
}

async function start(): Promise<void> {
  document
    .querySelectorAll<HTMLButtonElement>("nav button[data-tab]")
    .forEach((button) => (button.onclick = () => showTab(button.dataset.tab!)));
  const resources = await loadResources();
  byId("program").textContent = `${resources.project} / ${resources.stack}`;
  await Promise.all([
    invocations.load(),
    tables.load(),
    buckets.load(),
    alarms.load(),
    get<QueueView[]>("queues").then((list) => queues.render(list)),
    get<Chart>("metrics").then(drawChart),
  ]);
  listen();
  showTab(location.hash.slice(1) || "overview");
}

start().catch((error: Error) => {
  byId("live").textContent = `the console could not start: ${error.message}`;
  byId("live").className = "badge bad";
});
