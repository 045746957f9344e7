// The dashboard webview's rules (issue 16, item 4): a Content-Security-Policy that denies by
// default, runs only scripts carrying this render's nonce (no inline script, no eval), allows
// no inline style either, and a webview that may load nothing but the extension's built page.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { DASHBOARD_RESOURCE_ROOTS, dashboardHtml } from "../../../src/extension/dashboard/dashboard-html";

const root = join(__dirname, "..", "..", "..");
// What VS Code gives a webview: its resource origin, and asWebviewUri() URIs under it.
const CSP_SOURCE = "https://file+.vscode-resource.vscode-cdn.net";
const uri = (name: string) => ({ toString: () => `${CSP_SOURCE}/ext/out/webview/${name}` }) as never;
const URIS = { script: uri("dashboard.js"), styles: uri("dashboard.css"), codiconCss: uri("codicon.css") };

function render(): { html: string; csp: Map<string, string[]> } {
  const html = dashboardHtml({ cspSource: CSP_SOURCE }, URIS);
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, "the page declares its CSP in a meta element");
  const csp = new Map<string, string[]>();
  for (const directive of content.split(";").map((d) => d.trim()).filter(Boolean)) {
    const [name, ...sources] = directive.split(/\s+/);
    assert.ok(!csp.has(name!), `${name} declared once`);
    csp.set(name!, sources);
  }
  return { html, csp };
}

const nonceOf = (csp: Map<string, string[]>) => /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp.get("script-src")?.[0] ?? "")?.[1];

describe("dashboard webview: Content-Security-Policy", () => {
  it("denies by default and names only the extension's origin, 'none', data: images and the nonce", () => {
    const { csp } = render();
    assert.deepEqual(csp.get("default-src"), ["'none'"]);
    assert.deepEqual(csp.get("connect-src"), ["'none'"], "the page talks to the host through postMessage only");
    for (const [name, sources] of csp) {
      for (const s of sources) {
        const allowed = s === CSP_SOURCE || s === "'none'" || (name === "img-src" && s === "data:") || (name === "script-src" && s.startsWith("'nonce-"));
        assert.ok(allowed, `${name} allows ${s}`);
      }
    }
  });

  it("script-src is the nonce alone: no 'unsafe-inline', no 'unsafe-eval', no host", () => {
    const { csp } = render();
    const sources = csp.get("script-src") ?? [];
    assert.equal(sources.length, 1, sources.join(" "));
    assert.ok(nonceOf(csp));
  });

  it("no directive allows 'unsafe-inline' or 'unsafe-eval', styles included", () => {
    // Lit adopts constructed stylesheets and uPlot styles through the CSSOM, neither governed by
    // CSP (dashboard-html.ts). Should a style ever need 'unsafe-inline', it goes in style-src
    // alone, with the reason beside it, and this test says so.
    for (const [name, sources] of render().csp) assert.ok(!sources.some((s) => /^'unsafe-/.test(s)), `${name}: ${sources.join(" ")}`);
  });

  it("every script carries the nonce and loads from the extension; no inline script, handler or style", () => {
    const { html, csp } = render();
    const nonce = nonceOf(csp);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs, body] of scripts) {
      assert.ok(attrs!.includes(` nonce="${nonce}"`), attrs);
      assert.ok(attrs!.includes(` src="${CSP_SOURCE}/`), attrs);
      assert.equal(body!.trim(), "", "no inline code");
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, "no inline event handlers");
    assert.doesNotMatch(html, /<style\b|\sstyle\s*=/i, "no inline styles");
    assert.doesNotMatch(html, /(?:href|src)="(?!https:\/\/file\+\.vscode-resource)/, "every resource comes through asWebviewUri");
  });

  it("the nonce is new at every render: 128 bits or more of randomness", () => {
    const nonces = Array.from({ length: 200 }, () => nonceOf(render().csp)!);
    assert.equal(new Set(nonces).size, nonces.length);
    for (const n of nonces) assert.ok(Buffer.from(n, "base64").length >= 16, n);
  });
});

describe("dashboard webview: localResourceRoots", () => {
  it("only the extension's own built page folder", () => {
    assert.deepEqual(DASHBOARD_RESOURCE_ROOTS.map((s) => s.join("/")), ["out/webview"]);
    for (const segments of DASHBOARD_RESOURCE_ROOTS) for (const s of segments) assert.ok(/^[\w-]+$/.test(s) && s !== "..", `a plain folder name: ${s}`);
    // esbuild writes the page and every asset it links to there.
    const config = readFileSync(join(root, "esbuild.config.mjs"), "utf8");
    assert.match(config, /outdir: "out\/webview"/);
    for (const asset of ["codicon.css", "codicon.ttf"]) assert.match(config, new RegExp(`"out/webview/${asset.replace(".", "\\.")}"`));
  });

  it("every webview of src/extension takes its roots from that list", () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    const uses = files(join(root, "src", "extension")).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/localResourceRoots\s*:\s*([^,}\n]+)/g)].map((m) => `${relative(root, f)}: ${m[1]!.trim()}`));
    assert.ok(uses.length >= 2, uses.join("\n"));
    for (const use of uses) assert.match(use, /^src\/extension\/dashboard\/dashboard-panel\.ts: resourceRoots\(deps\.extensionUri\)$/);
    assert.match(readFileSync(join(root, "src/extension/dashboard/dashboard-panel.ts"), "utf8"), /const resourceRoots = \(extensionUri: vscode\.Uri\) => DASHBOARD_RESOURCE_ROOTS\.map\(/);
  });
});
