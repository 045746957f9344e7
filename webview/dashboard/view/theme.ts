// Colours come from VS Code's theme variables only (light, dark and high contrast all set
// them). uPlot draws on a canvas, which cannot read CSS variables, so they are resolved
// here and the charts are rebuilt when VS Code switches theme (it changes body's class).
import type { StageName } from "../../../src/core/protocol";

const STAGE_VARS: Partial<Record<StageName, string>> = {
  pretrain: "--vscode-charts-blue",
  sft: "--vscode-charts-green",
  dpo: "--vscode-charts-orange",
  distill: "--vscode-charts-purple",
};
const PALETTE = ["--vscode-charts-blue", "--vscode-charts-red", "--vscode-charts-green", "--vscode-charts-orange", "--vscode-charts-purple", "--vscode-charts-yellow"];

export interface ChartTheme {
  foreground: string;
  grid: string;
  font: string;
  stage(stage: StageName | null): string;
  index(i: number): string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function readChartTheme(): ChartTheme {
  const foreground = cssVar("--vscode-charts-foreground", cssVar("--vscode-foreground", "#888"));
  const grid = cssVar("--vscode-charts-lines", cssVar("--vscode-widget-border", "rgba(128,128,128,0.3)"));
  const family = cssVar("--vscode-font-family", "sans-serif");
  const size = cssVar("--vscode-font-size", "12px");
  const palette = PALETTE.map((v) => cssVar(v, foreground));
  return {
    foreground,
    grid,
    font: `${size} ${family}`,
    stage: (stage) => (stage && STAGE_VARS[stage] ? cssVar(STAGE_VARS[stage] as string, foreground) : (palette[5] as string)),
    index: (i) => palette[i % palette.length] as string,
  };
}

/** Calls back when VS Code changes theme (light, dark, high contrast, or its colours). */
export function onThemeChange(callback: () => void): void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ["class", "data-vscode-theme-id"] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["style"] });
}
