// Which files count as code, by extension or by well-known file name. Everything else is "not
// code" (images, fonts, data dumps, office files...). Users extend or trim the list in settings
// (GatherOptions.extraCodeExtensions / excludedCodeExtensions).
import type { PathParts } from "./path-parts";

/** Extension (lower case, with dot) -> language id (VS Code's ids where there is one). */
export const CODE_EXTENSIONS: Readonly<Record<string, string>> = {
  ".ts": "typescript", ".tsx": "typescriptreact", ".mts": "typescript", ".cts": "typescript",
  ".js": "javascript", ".jsx": "javascriptreact", ".mjs": "javascript", ".cjs": "javascript",
  ".py": "python", ".pyi": "python", ".pyx": "cython",
  ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".scala": "scala", ".groovy": "groovy", ".gradle": "groovy",
  ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp", ".inl": "cpp", ".ipp": "cpp",
  ".cu": "cuda-cpp", ".cuh": "cuda-cpp", ".m": "objective-c", ".mm": "objective-cpp",
  ".cs": "csharp", ".fs": "fsharp", ".fsx": "fsharp", ".vb": "vb",
  ".swift": "swift", ".dart": "dart", ".rb": "ruby", ".php": "php", ".pl": "perl", ".pm": "perl", ".lua": "lua", ".r": "r", ".jl": "julia",
  ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".hrl": "erlang", ".clj": "clojure", ".cljs": "clojure", ".hs": "haskell", ".ml": "ocaml", ".mli": "ocaml",
  ".elm": "elm", ".nim": "nim", ".zig": "zig", ".v": "verilog", ".sv": "systemverilog", ".vhd": "vhdl", ".sol": "solidity",
  ".sh": "shellscript", ".bash": "shellscript", ".zsh": "shellscript", ".fish": "fish", ".ps1": "powershell", ".psm1": "powershell", ".bat": "bat", ".cmd": "bat",
  ".sql": "sql", ".graphql": "graphql", ".gql": "graphql", ".proto": "proto", ".thrift": "thrift",
  ".html": "html", ".htm": "html", ".vue": "vue", ".svelte": "svelte", ".astro": "astro",
  ".css": "css", ".scss": "scss", ".sass": "sass", ".less": "less", ".styl": "stylus",
  ".json": "json", ".jsonc": "jsonc", ".json5": "json5", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".xml": "xml", ".ini": "ini", ".cfg": "ini", ".conf": "properties", ".properties": "properties",
  ".md": "markdown", ".mdx": "mdx", ".rst": "restructuredtext", ".tex": "latex",
  ".cmake": "cmake", ".mk": "makefile", ".tf": "terraform", ".hcl": "hcl", ".nix": "nix", ".dockerfile": "dockerfile",
  ".wgsl": "wgsl", ".glsl": "glsl", ".hlsl": "hlsl", ".metal": "metal",
};

/** Files without a telling extension that are code all the same. */
export const CODE_FILE_NAMES: Readonly<Record<string, string>> = {
  makefile: "makefile", gnumakefile: "makefile", dockerfile: "dockerfile", containerfile: "dockerfile", "cmakelists.txt": "cmake",
  jenkinsfile: "groovy", vagrantfile: "ruby", gemfile: "ruby", rakefile: "ruby", podfile: "ruby", procfile: "procfile",
  justfile: "just", ".gitignore": "ignore", ".dockerignore": "ignore", ".editorconfig": "editorconfig", ".gitattributes": "gitattributes",
  "build.bazel": "starlark", workspace: "starlark", build: "starlark",
};

export interface CodeLanguages {
  /** The language of a file, or null when it is not code. */
  languageOf(parts: PathParts): string | null;
}

export function codeLanguages(extra: readonly string[] = [], excluded: readonly string[] = []): CodeLanguages {
  const extensions = new Map(Object.entries(CODE_EXTENSIONS));
  for (const ext of extra) extensions.set(normaliseExtension(ext), extensions.get(normaliseExtension(ext)) ?? normaliseExtension(ext).slice(1));
  for (const ext of excluded) extensions.delete(normaliseExtension(ext));
  return {
    languageOf(parts) {
      const byName = CODE_FILE_NAMES[parts.lowerName];
      if (byName !== undefined) return byName;
      if (parts.lowerName.startsWith("dockerfile.")) return "dockerfile";
      return extensions.get(parts.extension) ?? null;
    },
  };
}

function normaliseExtension(ext: string): string {
  const lower = ext.trim().toLowerCase();
  return lower.startsWith(".") ? lower : `.${lower}`;
}
