// Batches redraws: messages mark sections dirty and one animation frame redraws them, so a
// replay of 100,000 events in a few dozen messages costs a few dozen redraws, not 100,000.
// Charts (the costly part) redraw at most every CHART_MS while a run streams in.
import type { Section } from "./model/page-state";

const CHART_MS = 250;

export class Renderer {
  private readonly dirty = new Set<Section>();
  private frame = 0;
  private lastCharts = 0;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly draw: (section: Section) => void) {}

  mark(sections: Iterable<Section>): void {
    for (const s of sections) this.dirty.add(s);
    if (!this.frame && this.dirty.size) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const now = performance.now();
    if (this.dirty.has("charts") && now - this.lastCharts < CHART_MS) {
      this.dirty.delete("charts");
      this.chartTimer ??= setTimeout(() => {
        this.chartTimer = undefined;
        this.mark(["charts"]);
      }, CHART_MS - (now - this.lastCharts));
    }
    if (this.dirty.has("charts")) this.lastCharts = now;
    const sections = [...this.dirty];
    this.dirty.clear();
    for (const s of sections) {
      try {
        this.draw(s);
      } catch (err) {
        // One broken section must not blank the rest of the page.
        console.error(`RepoTune dashboard: drawing ${s} failed`, err);
      }
    }
  }
}
