// One uPlot chart in a card: it owns the uPlot instance, thins the data to the card's width
// on every draw (model/chart-data.ts), and rebuilds itself when its series or the theme
// change. uPlot is bundled into dashboard.js; nothing loads from the network.
import uPlot from "uplot";
import { alignForDrawing, type SeriesSpec } from "../model/chart-data";
import { formatNumber } from "../model/format";
import { h } from "./dom";
import type { ChartTheme } from "./theme";

export interface ChartOptions {
  id: string;
  title: string;
  /** What the chart shows when there is nothing to draw yet. */
  empty: string;
  /** Colour by stage (series of several stages) or by position (metrics of one stage). */
  colorBy: "stage" | "index";
  xLabel?: string;
  /** x is seconds since the epoch (uPlot's time axis). */
  time?: boolean;
  yRange?: [number, number];
}

const HEIGHT = 190;

export class ChartView {
  readonly root: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private readonly summary: HTMLElement;
  private plot: uPlot | null = null;
  private signature = "";
  private specs: SeriesSpec[] = [];
  private width = 0;

  constructor(
    private readonly options: ChartOptions,
    private theme: ChartTheme,
  ) {
    this.plotHost = h("div", { class: "plot" });
    this.emptyNote = h("p", { class: "muted empty" }, options.empty);
    // Screen readers get the latest values instead of a canvas.
    this.summary = h("p", { class: "sr-only", id: `${options.id}-summary` });
    this.root = h(
      "figure",
      { class: "chart card", id: options.id, "aria-labelledby": `${options.id}-title`, "aria-describedby": `${options.id}-summary` },
      h("figcaption", { id: `${options.id}-title` }, options.title),
      this.emptyNote,
      this.plotHost,
      this.summary,
    );
    new ResizeObserver(() => {
      const w = Math.floor(this.plotHost.clientWidth);
      if (w > 0 && w !== this.width) {
        this.width = w;
        this.draw();
      }
    }).observe(this.plotHost);
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.signature = ""; // colours are baked into the uPlot options: rebuild
    this.draw();
  }

  update(specs: SeriesSpec[]): void {
    this.specs = specs;
    this.draw();
  }

  private draw(): void {
    const specs = this.specs.filter((s) => s.xs.length > 0);
    this.emptyNote.hidden = specs.length > 0;
    this.plotHost.hidden = specs.length === 0;
    this.summary.textContent = specs.map((s) => `${s.label}: ${formatNumber(lastFinite(s.ys))}`).join("; ") || this.options.empty;
    if (!specs.length || this.width <= 0) return;
    // One bucket per 2 pixels: min and max of each still give every pixel column its extent.
    const data = alignForDrawing(specs, Math.max(16, Math.floor(this.width / 2)));
    const signature = specs.map((s) => `${s.label}|${s.points ? 1 : 0}`).join(";");
    if (this.plot && signature === this.signature) {
      this.plot.setData(data as uPlot.AlignedData);
      if (this.plot.width !== this.width) this.plot.setSize({ width: this.width, height: HEIGHT });
      return;
    }
    this.plot?.destroy();
    this.signature = signature;
    this.plot = new uPlot(this.plotOptions(specs), data as uPlot.AlignedData, this.plotHost);
  }

  private plotOptions(specs: SeriesSpec[]): uPlot.Options {
    const t = this.theme;
    const axis = (label?: string): uPlot.Axis => ({
      stroke: t.foreground,
      font: t.font,
      labelFont: t.font,
      grid: { stroke: t.grid, width: 1 },
      ticks: { stroke: t.grid, width: 1 },
      ...(label ? { label } : {}),
    });
    const yAxis: uPlot.Axis = { ...axis(), size: 56, values: (_u, ticks) => ticks.map((v) => formatNumber(v)) };
    return {
      width: this.width,
      height: HEIGHT,
      scales: {
        x: { time: this.options.time === true },
        y: this.options.yRange ? { range: this.options.yRange } : {},
      },
      axes: [this.options.time ? axis() : axis(this.options.xLabel ?? "step"), yAxis],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      series: [
        { label: this.options.time ? "time" : "step", value: (_u, v) => (v === null ? "—" : this.options.time ? new Date(v * 1000).toLocaleString() : String(v)) },
        ...specs.map((s, i): uPlot.Series => {
          const color = this.options.colorBy === "stage" ? t.stage(s.stage) : t.index(i);
          return {
            label: s.label,
            stroke: color,
            width: 1.5,
            spanGaps: true,
            dash: s.dashed ? [4, 3] : undefined,
            value: (_u, v) => formatNumber(v),
            ...(s.points ? { paths: () => null, points: { show: true, size: 6, stroke: color, fill: color } } : { points: { show: false } }),
          };
        }),
      ],
    };
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}

function lastFinite(ys: ArrayLike<number>): number | null {
  for (let i = ys.length - 1; i >= 0; i--) if (Number.isFinite(ys[i])) return ys[i] as number;
  return null;
}
