// .gitignore rules for folders that are not git repositories (where git cannot be asked):
// blank lines and comments, "!" negation, a trailing "/" for folders only, patterns with a
// "/" anchored to the .gitignore's folder, "*", "?", "[...]" and "**". The last matching rule
// of the deepest .gitignore wins, as in git.

interface Rule {
  regex: RegExp;
  negated: boolean;
  dirOnly: boolean;
}

export class GitIgnore {
  private readonly rules: Rule[];

  constructor(source: string) {
    this.rules = source.split(/\r?\n/).flatMap((line) => {
      const rule = parseRule(line);
      return rule ? [rule] : [];
    });
  }

  /** true: ignored; false: re-included by a "!" rule; undefined: no rule says anything. */
  verdict(relativePath: string, isDir: boolean): boolean | undefined {
    let result: boolean | undefined;
    for (const rule of this.rules) {
      if (rule.dirOnly && !isDir) continue;
      if (rule.regex.test(relativePath)) result = !rule.negated;
    }
    return result;
  }
}

function parseRule(line: string): Rule | null {
  let pattern = line.replace(/(?<!\\)\s+$/, ""); // trailing spaces, unless escaped
  if (pattern === "" || pattern.startsWith("#")) return null;
  let negated = false;
  if (pattern.startsWith("!")) {
    negated = true;
    pattern = pattern.slice(1);
  } else if (pattern.startsWith("\\!") || pattern.startsWith("\\#")) pattern = pattern.slice(1);
  let dirOnly = false;
  if (pattern.endsWith("/")) {
    dirOnly = true;
    pattern = pattern.slice(0, -1);
  }
  if (pattern === "") return null;
  // A slash at the start or in the middle anchors the pattern to the .gitignore's folder.
  const anchored = pattern.includes("/");
  if (pattern.startsWith("/")) pattern = pattern.slice(1);
  const body = globToRegex(pattern);
  return { regex: new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}$`), negated, dirOnly };
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === glob.length || glob[i + 2] === "/";
        if (atStart && atEnd) {
          // "**/" any folders (or none); "/**" everything inside.
          if (i + 2 === glob.length) out += ".*";
          else {
            out += "(?:.*/)?";
            i += 2; // also eat the "/"
            continue;
          }
          i++;
          continue;
        }
      }
      out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close === -1) out += "\\[";
      else {
        let set = glob.slice(i + 1, close);
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        out += `[${set.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1] as string);
      i++;
    } else out += escapeRegex(c);
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
