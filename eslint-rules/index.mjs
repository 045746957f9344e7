// The local "repotune" ESLint plugin (registered in eslint.config.mjs): DESIGN.md's layer
// table and no import cycles between folders. No dependency beyond eslint and typescript.
import layers from "./layers.mjs";
import noFolderCycles from "./no-folder-cycles.mjs";

export default {
  meta: { name: "eslint-plugin-repotune", version: "0.1.0" },
  rules: { layers, "no-folder-cycles": noFolderCycles },
};
