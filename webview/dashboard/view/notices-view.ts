// Messages from the host (an action this build cannot do yet, unreadable lines), each
// dismissable from the keyboard.
import type { PageState } from "../model/page-state";
import { h, icon } from "./dom";

export class NoticesView {
  readonly root = h("div", { class: "notices", role: "status", "aria-live": "polite" });

  constructor(private readonly onDismiss: (id: number) => void) {}

  update(state: PageState): void {
    this.root.replaceChildren(
      ...state.notices.map((n) => {
        const close = document.createElement("vscode-button");
        close.setAttribute("icon", "close");
        close.setAttribute("secondary", "");
        close.setAttribute("aria-label", "Dismiss");
        close.addEventListener("click", () => this.onDismiss(n.id));
        return h("div", { class: `notice ${n.level}` }, icon(n.level === "error" ? "error" : n.level === "warn" ? "warning" : "info"), h("span", { class: "notice-text" }, n.text), close);
      }),
    );
  }
}
