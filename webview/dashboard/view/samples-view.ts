// Sample completions side by side: the held-out line's context, the truth, the teacher's
// and the student's completion, each marked when it matches the truth exactly.
import type { PageState } from "../model/page-state";
import type { SampleRow } from "../model/run-model";
import { h, icon, section, srOnly } from "./dom";

const SHOWN = 12;
const CONTEXT_LINES = 3;

/** Exact match as the evaluation counts it: whitespace-normalised. */
export function sameCode(a: string, b: string): boolean {
  return a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim();
}

export class SamplesView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    ({ root: this.root, body: this.body } = section("samples", "Sample completions"));
  }

  update(state: PageState): void {
    const rows = [...state.run.samples.values()].slice(-SHOWN).reverse();
    if (!rows.length) {
      this.body.replaceChildren(h("p", { class: "muted" }, "No samples yet: the evaluation stage completes held-out lines with the teacher and the student."));
      return;
    }
    this.body.replaceChildren(...rows.map(sampleCard));
  }
}

function sampleCard(s: SampleRow): HTMLElement {
  const context = s.prefix.split("\n").filter((l, i, all) => i < all.length - 1 || l.length > 0).slice(-CONTEXT_LINES).join("\n");
  return h(
    "article",
    { class: "sample", "aria-label": `${s.path} line ${s.line}` },
    h("div", { class: "sample-head" }, h("code", null, `${s.path}:${s.line}`)),
    h(
      "div",
      { class: "sample-grid" },
      column("Held-out line (context)", context, null),
      column("Truth", s.truth, null),
      column("Teacher", s.teacher, s.teacher === null ? null : sameCode(s.teacher, s.truth)),
      column("Student", s.student, s.student === null ? null : sameCode(s.student, s.truth)),
    ),
  );
}

function column(title: string, code: string | null, match: boolean | null): HTMLElement {
  const mark = match === null ? null : match ? h("span", { class: "match yes" }, icon("pass"), srOnly(" matches the truth")) : h("span", { class: "match no" }, icon("close"), srOnly(" differs from the truth"));
  return h("div", { class: "sample-col" }, h("div", { class: "sample-title" }, title, " ", mark), h("pre", { class: "code" }, code ?? "—"));
}
