// repotune/layers: DESIGN.md's "Layers" table, folder by folder and package by package.
//
// Every import of a file counts, type-only ones included (`import type`, `typeof import("x")`):
// a type is still a dependency on the layer that declares it, and a later value import
// would follow it.
//
// Options (one object):
//   layers: [{ folder, imports, packages? }]
//     folder    repo-relative folder; a file belongs to the longest folder that holds it.
//     imports   the other layer folders its files may import relatively ("*": any);
//               imports inside its own folder are always allowed.
//     packages  when given, the only packages it may import besides Node built-ins.
//   packages: [{ name, allowedIn }]
//     name      a package (`vscode`) or a scope (`@tensorflow/*`);
//     allowedIn the folders whose files may import it (prefixes: "test/e2e/suite").
//   exceptions: [{ file, imports, why }]
//     one file allowed to import more layer folders than its own layer, with the reason.
//   everyFileUnder: folders whose every file must belong to a layer (["src"]): a new
//     folder is placed in the table before it is used.
//   root: the folder paths are relative to (default: ESLint's cwd).
import { importVisitors, isBuiltin, isRelative, joinSpec, matchesPackage, packageName, repoPath, rootOf, stripExt, within } from "./paths.mjs";

const DOC = "(DESIGN.md layers)";

/** The layer (longest folder) that holds `path`, or undefined. */
function layerOf(layers, path) {
  let best;
  for (const layer of layers) if (within(path, layer.folder) && (!best || layer.folder.length > best.folder.length)) best = layer;
  return best;
}

/** "pipeline, serve, hub, core and bench": the folders as the table names them (`short`), or in full. */
function list(items, short) {
  const names = short ? items.map((f) => f.replace(/^src\//, "")) : items;
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const layerSchema = {
  type: "object",
  properties: {
    folder: { type: "string" },
    imports: { type: "array", items: { type: "string" } },
    packages: { type: "array", items: { type: "string" } },
  },
  required: ["folder", "imports"],
  additionalProperties: false,
};

export default {
  meta: {
    type: "problem",
    docs: { description: "Enforce DESIGN.md's layer table: which folders and packages each folder may import" },
    schema: [
      {
        type: "object",
        properties: {
          layers: { type: "array", items: layerSchema },
          packages: {
            type: "array",
            items: {
              type: "object",
              properties: { name: { type: "string" }, allowedIn: { type: "array", items: { type: "string" } } },
              required: ["name", "allowedIn"],
              additionalProperties: false,
            },
          },
          exceptions: {
            type: "array",
            items: {
              type: "object",
              properties: { file: { type: "string" }, imports: { type: "array", items: { type: "string" } }, why: { type: "string" } },
              required: ["file", "imports", "why"],
              additionalProperties: false,
            },
          },
          everyFileUnder: { type: "array", items: { type: "string" } },
          root: { type: "string" },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      folder: "{{from}} may import {{allowed}}; it imported {{target}} " + DOC,
      package: "{{name}} may only be imported in {{allowed}}; {{from}} imported {{spec}} " + DOC,
      onlyPackages: "{{from}} may import only {{allowed}}; it imported {{spec}} " + DOC,
      unplaced: "{{what}} is not in a folder of the layer table: add the folder to DESIGN.md and to repotune/layers in eslint.config.mjs before using it",
    },
  },

  create(context) {
    const { layers = [], packages = [], exceptions = [], everyFileUnder = [] } = context.options[0] ?? {};
    const root = rootOf(context);
    const file = repoPath(root, context.filename);
    const layer = layerOf(layers, file);

    if (!layer) {
      const under = everyFileUnder.find((f) => within(file, f));
      if (!under) return {};
      // The folder to place (src/foo/ for src/foo/x.ts), or the file itself when it lies directly in src.
      const rest = file.slice(under.length + 1).split("/");
      const what = rest.length > 1 ? `${under}/${rest[0]}/` : file;
      return { Program: (node) => context.report({ node, loc: { line: 1, column: 0 }, messageId: "unplaced", data: { what } }) };
    }

    const extra = exceptions.filter((e) => e.file === file).flatMap((e) => e.imports);
    const allowedFolders = [...layer.imports, ...extra];
    const anyFolder = allowedFolders.includes("*");

    const checkPackage = (node, spec) => {
      if (isBuiltin(spec)) return;
      const name = packageName(spec);
      const owned = packages.filter((p) => matchesPackage(name, p.name));
      if (owned.length && !owned.some((p) => p.allowedIn.some((f) => within(file, f)))) {
        const allowed = list([...new Set(owned.flatMap((p) => p.allowedIn))], false);
        context.report({ node, messageId: "package", data: { name: owned[0].name, allowed, from: layer.folder, spec } });
        return;
      }
      if (layer.packages && !layer.packages.some((p) => matchesPackage(name, p))) {
        const allowed = list(["Node built-ins", ...layer.packages], false);
        context.report({ node, messageId: "onlyPackages", data: { from: layer.folder, allowed, spec } });
      }
    };

    const checkFolder = (node, spec) => {
      const target = stripExt(repoPath(root, joinSpec(context.filename, spec)));
      const to = layerOf(layers, target);
      if (to === layer || anyFolder || (to && allowedFolders.includes(to.folder))) return;
      const allowed = allowedFolders.length ? list(allowedFolders, true) : "no other folder";
      context.report({ node, messageId: "folder", data: { from: layer.folder, allowed, target } });
    };

    return importVisitors((node, spec) => (isRelative(spec) ? checkFolder(node, spec) : checkPackage(node, spec)));
  },
};
