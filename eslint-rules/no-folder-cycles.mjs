// repotune/no-folder-cycles: no import cycle between folders of src.
//
// A "folder" is the directory a file lives in, cut at depth 2 under src: src/pipeline/eval
// for src/pipeline/eval/x.ts and src/pipeline/eval/sub/y.ts, src/core for src/core/protocol.ts.
// The folder graph comes from the relative imports of every .ts file under src (import/export
// ... from, import("x"), require("x"), type-only imports included: a type is a dependency too),
// read once per lint run with TypeScript's import scanner and cached. An import is reported when
// the folder it reaches can reach back to the importing file's folder.
//
// Options (one object):
//   src    the folder scanned (default "src"); depth: the folder depth under it (default 2)
//   root   the folder `src` is relative to (default: ESLint's cwd)
//   graph  { folder: [folders it imports] }: use this graph instead of scanning the tree
//          (tests plant a cycle without writing files under src)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { importVisitors, isRelative, joinSpec, repoPath, resolveFile, rootOf, within } from "./paths.mjs";

/** The folder of a repo-relative file path: src/a/b for src/a/b/c/d.ts, src/a for src/a/x.ts. */
export function folderOf(file, src = "src", depth = 2) {
  const parts = file.split("/");
  const base = src.split("/").length;
  return parts.slice(0, Math.min(base + depth, parts.length - 1)).join("/");
}

/** The folder a relative import of `fromAbs` lands in (its file resolved when it exists). */
function targetFolder(root, fromAbs, spec, src, depth, resolutions) {
  const abs = joinSpec(fromAbs, spec);
  return folderOf(repoPath(root, resolveFile(abs, resolutions) ?? abs), src, depth);
}

function tsFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") tsFiles(path, out);
    } else if (/\.(m|c)?tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** folder -> Set of folders it imports, from the files on disk. */
export function scanGraph(root, src = "src", depth = 2, resolutions = new Map()) {
  const graph = new Map();
  let files;
  try {
    files = tsFiles(join(root, src));
  } catch {
    return graph; // no src folder: no cycles
  }
  for (const abs of files) {
    const from = folderOf(repoPath(root, abs), src, depth);
    const { importedFiles } = ts.preProcessFile(readFileSync(abs, "utf8"), true, true);
    for (const { fileName: spec } of importedFiles) {
      if (!isRelative(spec)) continue;
      const to = targetFolder(root, abs, spec, src, depth, resolutions);
      if (to === from || !within(to, src)) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from).add(to);
    }
  }
  return graph;
}

// One scan per lint run: `eslint .` lints every file within seconds. A long-lived process
// (the editor's ESLint server) rescans once the cache is older than this.
const MAX_AGE_MS = 10_000;
const cache = new Map();

function cachedGraph(root, src, depth) {
  const key = `${root}\0${src}\0${depth}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit;
  const resolutions = new Map();
  const fresh = { at: Date.now(), graph: scanGraph(root, src, depth, resolutions), resolutions };
  cache.set(key, fresh);
  return fresh;
}

/** The shortest path of folders from `start` to `goal`, or null. */
function pathBetween(graph, start, goal) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift();
    if (at === goal) {
      const path = [];
      for (let f = at; f !== null; f = previous.get(f)) path.unshift(f);
      return path;
    }
    for (const next of graph.get(at) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  return null;
}

export default {
  meta: {
    type: "problem",
    docs: { description: "Forbid import cycles between folders of src (depth 2)" },
    schema: [
      {
        type: "object",
        properties: {
          src: { type: "string" },
          depth: { type: "integer", minimum: 1 },
          root: { type: "string" },
          graph: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
        },
        additionalProperties: false,
      },
    ],
    messages: { cycle: "import cycle between folders: {{cycle}}" },
  },

  create(context) {
    const { src = "src", depth = 2, graph: injected } = context.options[0] ?? {};
    const root = rootOf(context);
    const file = repoPath(root, context.filename);
    if (!within(file, src)) return {};
    const from = folderOf(file, src, depth);
    let view;
    const load = () => {
      if (view) return view;
      if (injected) view = { graph: new Map(Object.entries(injected).map(([f, to]) => [f, new Set(to)])), resolutions: new Map() };
      else view = cachedGraph(root, src, depth);
      return view;
    };
    return importVisitors((node, spec) => {
      if (!isRelative(spec)) return;
      const { graph, resolutions } = load();
      const to = targetFolder(root, context.filename, spec, src, depth, resolutions);
      if (to === from || !within(to, src)) return;
      const back = pathBetween(graph, to, from);
      if (back) context.report({ node, messageId: "cycle", data: { cycle: [from, ...back].join(" -> ") } });
    });
  },
};
