// Shared helpers of the local "repotune" ESLint rules: the import specifiers of a file and
// where they point, all as repo-relative POSIX paths ("src/engine/backends/select").
import { statSync } from "node:fs";
import { builtinModules } from "node:module";
import { relative, resolve, sep } from "node:path";

const builtins = new Set(builtinModules);

/** `node:fs`, `fs`, `fs/promises`: a Node built-in. */
export function isBuiltin(spec) {
  return spec.startsWith("node:") || builtins.has(spec) || builtins.has(spec.split("/")[0]);
}

export const isRelative = (spec) => spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../");

/** The package an import names: `@scope/name` or `name`, without a subpath. */
export function packageName(spec) {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** `@tensorflow/*` matches every package of the scope; anything else matches exactly. */
export function matchesPackage(name, pattern) {
  return pattern.endsWith("/*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

export const toPosix = (p) => p.split(sep).join("/");

/** Repo-relative POSIX path of an absolute path (`..` first when outside the root). */
export const repoPath = (root, abs) => toPosix(relative(root, abs));

/** Is `path` the folder `folder` or inside it? */
export const within = (path, folder) => path === folder || path.startsWith(folder + "/");

/** The root the rules resolve paths against: the `root` option, else ESLint's cwd. */
export const rootOf = (context) => resolve(context.cwd, context.options[0]?.root ?? ".");

/** Absolute path of a relative specifier, without resolving it to a file. */
export const joinSpec = (fromFile, spec) => resolve(fromFile, "..", spec);

/**
 * The file a relative import loads, as the bundler and tsc (moduleResolution Bundler) find it:
 * `./x` is x.ts (.tsx, .mts, .js...) or x/index.ts; `./x.js` may be x.ts. Null when none exists
 * (a virtual or not yet written file): callers then take the specifier's own path.
 * `cache` (a Map) lives as long as the caller's view of the tree.
 */
export function resolveFile(abs, cache) {
  let hit = cache.get(abs);
  if (hit !== undefined) return hit;
  const candidates = [abs];
  for (const ext of [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".mjs", ".cjs", ".json"]) candidates.push(abs + ext);
  if (/\.[mc]?js$/.test(abs)) candidates.push(abs.replace(/\.([mc]?)js$/, ".$1ts"));
  for (const index of ["index.ts", "index.tsx", "index.js"]) candidates.push(resolve(abs, index));
  hit = candidates.find((c) => statSync(c, { throwIfNoEntry: false })?.isFile()) ?? null;
  cache.set(abs, hit);
  return hit;
}

/** Drop a source extension for messages: src/engine/backends/select. */
export const stripExt = (p) => p.replace(/\.(d\.ts|[mc]?[tj]sx?)$/, "");

/**
 * Calls `visit(node, specifier)` for every import of a file, type-only ones included:
 * import/export ... from, import("x") (also in types: `typeof import("x")`), require("x"),
 * `import x = require("x")`. Specifiers must be string literals (or templates with no `${}`).
 */
export function importVisitors(visit) {
  const literal = (node) => {
    if (!node) return null;
    if (node.type === "Literal" && typeof node.value === "string") return node.value;
    if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked;
    if (node.type === "TSLiteralType") return literal(node.literal);
    return null;
  };
  const check = (node, source) => {
    const spec = literal(source);
    if (spec !== null) visit(node, spec);
  };
  return {
    ImportDeclaration: (node) => check(node, node.source),
    ExportNamedDeclaration: (node) => node.source && check(node, node.source),
    ExportAllDeclaration: (node) => check(node, node.source),
    ImportExpression: (node) => check(node, node.source),
    TSImportType: (node) => check(node, node.argument),
    TSExternalModuleReference: (node) => check(node.parent ?? node, node.expression),
    CallExpression: (node) => {
      if (node.callee.type === "Identifier" && node.callee.name === "require" && node.arguments.length === 1) check(node, node.arguments[0]);
    },
  };
}
