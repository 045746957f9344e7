// The run's log lines, newest last, warnings and errors marked.
import type { PageState } from "../model/page-state";
import { h, icon, section } from "./dom";

const SHOWN = 40;

export class LogView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    ({ root: this.root, body: this.body } = section("log", "Log"));
  }

  update(state: PageState): void {
    const lines = state.run.logs.slice(-SHOWN);
    if (!lines.length) {
      this.body.replaceChildren(h("p", { class: "muted" }, "Nothing logged."));
      return;
    }
    this.body.replaceChildren(
      h(
        "ul",
        { class: "log" },
        ...lines.map((l) => h("li", { class: `log-${l.level}` }, l.level === "info" ? null : icon(l.level === "warn" ? "warning" : "error"), h("time", { datetime: l.time }, new Date(l.time).toLocaleTimeString()), " ", l.message)),
      ),
    );
  }
}
