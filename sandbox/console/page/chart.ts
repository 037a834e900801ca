import { h } from "./dom";

const svgNs = "http://www.w3.org/2000/svg";

export interface Series {
  label: string;
  values: number[];
  className: string;
}

/** A line chart of a few series sharing one time axis, drawn in SVG: each scaled to its own maximum. */
export function lineChart(series: Series[], stepSeconds: number): HTMLElement {
  const width = 600;
  const height = 120;
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "chart");
  for (const { values, className } of series) {
    const max = Math.max(1, ...values);
    const step = width / Math.max(1, values.length - 1);
    const points = values
      .map((value, index) => `${(index * step).toFixed(1)},${(height - 4 - (value / max) * (height - 12)).toFixed(1)}`)
      .join(" ");
    const line = document.createElementNS(svgNs, "polyline");
    line.setAttribute("points", points);
    line.setAttribute("class", className);
    svg.appendChild(line);
  }
  const minutes = ((series[0]?.values.length ?? 0) * stepSeconds) / 60;
  return h(
    "figure",
    { class: "chart-box" },
    svg,
    h(
      "figcaption",
      {},
      series.map(({ label, values, className }) =>
        h("span", { class: `legend ${className}` }, `${label} (peak ${Math.max(0, ...values)})`),
      ),
      h("span", { class: "muted" }, ` last ${minutes} min, ${stepSeconds} s steps`),
    ),
  );
}
