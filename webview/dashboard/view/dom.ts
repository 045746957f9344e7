// A tiny element builder: text always goes in as textContent, never as HTML, so nothing
// from an event log (file paths, completions, log lines) can inject markup.

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (name === "class") el.className = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** A codicon, hidden from screen readers (the text next to it says the same). */
export function icon(name: string, extraClass = ""): HTMLElement {
  return h("span", { class: `codicon codicon-${name} ${extraClass}`.trim(), "aria-hidden": "true" });
}

/** Text only screen readers announce (a best mark, a status spelled out). */
export function srOnly(text: string): HTMLElement {
  return h("span", { class: "sr-only" }, text);
}

/** A titled card that keeps its body element for the section's redraws. */
export function section(id: string, title: string): { root: HTMLElement; body: HTMLElement } {
  const body = h("div", { class: "section-body" });
  const root = h("section", { id, class: "card", "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), body);
  return { root, body };
}

export function statItem(label: string, value: string, title?: string): HTMLElement {
  return h("div", { class: "stat", title }, h("div", { class: "stat-label" }, label), h("div", { class: "stat-value" }, value));
}
