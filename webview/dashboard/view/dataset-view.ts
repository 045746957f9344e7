// The dataset: files kept and left out by reason (every excluded file listed with its
// reason, so a user can always see why a file was not used), samples by kind, tokens.
import type { DatasetSummary } from "../../../src/core/protocol";
import { formatNumber } from "../model/format";
import type { PageState } from "../model/page-state";
import { h, section, statItem } from "./dom";

export class DatasetView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private key = "";

  constructor(
    private readonly isOpen: () => boolean,
    private readonly setOpen: (open: boolean) => void,
  ) {
    ({ root: this.root, body: this.body } = section("dataset", "Dataset"));
  }

  update(state: PageState): void {
    const d = state.dataset;
    const key = JSON.stringify(d);
    if (key === this.key) return; // the excluded list may be long: rebuild only on change
    this.key = key;
    if (!d) {
      this.body.replaceChildren(h("p", { class: "muted" }, "No dataset manifest for this run yet: the gather stage writes it."));
      return;
    }
    const totalTokens = Object.values(d.tokens).reduce((a, b) => a + b, 0);
    const stats = h(
      "div",
      { class: "stat-grid" },
      statItem("Files kept", formatNumber(d.filesKept, 6)),
      statItem("Files excluded", formatNumber(d.filesExcluded, 6)),
      ...Object.entries(d.tokens).map(([k, n]) => statItem(k === "total" ? "Tokens" : `Tokens (${k})`, formatNumber(n))),
      ...(Object.keys(d.tokens).length > 1 ? [statItem("Tokens (all)", formatNumber(totalTokens))] : []),
    );
    this.body.replaceChildren(
      stats,
      h("div", { class: "two-col" }, countTable("Excluded, by reason", "Reason", d.excludedByReason), countTable("Samples, by kind", "Kind", d.samplesByKind)),
      this.excludedList(d),
    );
  }

  private excludedList(d: DatasetSummary): HTMLElement {
    const c = document.createElement("vscode-collapsible");
    c.setAttribute("heading", `Excluded files (${d.filesExcluded})`);
    c.setAttribute("description", "why each file was left out");
    c.id = "excluded-files";
    const fill = () => {
      if (c.childElementCount) return;
      const more = d.filesExcluded - d.excluded.length;
      c.append(
        h(
          "div",
          { class: "table-wrap excluded" },
          h(
            "table",
            { class: "data" },
            h("thead", null, h("tr", null, h("th", { scope: "col" }, "File"), h("th", { scope: "col" }, "Reason"))),
            h("tbody", null, ...d.excluded.map((e) => h("tr", null, h("td", null, h("code", null, e.path)), h("td", null, e.reason)))),
          ),
          more > 0 ? h("p", { class: "muted" }, `…and ${more} more (manifest.json lists them all).`) : null,
        ),
      );
    };
    // Thousands of rows are built only when the list is opened.
    c.addEventListener("vsc-collapsible-toggle", (e) => {
      const open = (e as CustomEvent<{ open: boolean }>).detail.open;
      this.setOpen(open);
      if (open) fill();
    });
    if (this.isOpen()) {
      c.setAttribute("open", "");
      fill();
    }
    return c;
  }
}

function countTable(caption: string, keyLabel: string, counts: Record<string, number>): HTMLElement {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return h("p", { class: "muted" }, `${caption}: none.`);
  return h(
    "table",
    { class: "data" },
    h("caption", null, caption),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, keyLabel), h("th", { scope: "col", class: "num" }, "Count"))),
    h("tbody", null, ...entries.map(([k, n]) => h("tr", null, h("td", null, k), h("td", { class: "num" }, formatNumber(n, 6))))),
  );
}
