// Values assigned to names that say "secret": `DB_PASSWORD = "..."`, `"apiKey": "..."`,
// `client_secret: ...`, `export GITHUB_TOKEN=...`. Names alone prove nothing (code is full of
// `token` and `password` variables), so the value must be a literal that looks generated:
// long enough, high in entropy, mixing character classes, and not a placeholder, a reference
// to another variable or environment entry, a regular expression or a sentence. A name whose
// head word is a password (DB_PASSWORD, keyPassword, smtp.pass) takes shorter values: people
// choose those, and "hunter22" is no less a password for being short.
import { ownCopy } from "../text/own-copy";
import { characterClasses, shannonEntropy } from "./entropy";
import { isPlaceholder } from "./placeholders";

/** Finds where a secret-ish word occurs; the whole name around it is then examined. */
const NAME_LOCATOR = /pass|pwd|secret|token|key|credential/gi;

const SECRET_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "pass", "secret", "secrets", "token", "credential", "credentials", "apikey", "privatekey", "secretkey", "accesskey"]);
/** Words that make "key" a secret: api_key, access_key, signing_key... but not a cache `key`. */
const KEY_QUALIFIERS = new Set(["api", "access", "secret", "private", "auth", "signing", "encryption", "master", "client", "account", "storage", "session"]);

/** Head words of a name that holds a password a person chose. */
const PASSWORD_WORDS = new Set(["password", "passwd", "passphrase", "pwd", "pass"]);
const NOT_A_LITERAL = /[\s[\]{}()<>|\\^]|\$\{|%s/;
const VARIABLE_REFERENCE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
/** ; , ( ) } ] and quotes end an unquoted value (`f(token=abc)`, `` `token=abc` `` in a comment). */
const UNQUOTED_VALUE_END = new Set([0x3b, 0x2c, 0x28, 0x29, 0x7d, 0x5d, 0x22, 0x27, 0x60]);
/** snake_case, SCREAMING_CASE, kebab-case, camelCase and PascalCase words: names, not keys. */
const WORDS_ONLY = /^(?:[a-z]+(?:[_.\-/][a-z]+)*|[A-Z]+(?:[_.\-/][A-Z]+)*|[A-Za-z][a-z]+(?:[A-Z][a-z]+)*)$/;

export interface AssignedSecret {
  /** Offset of the value in the text. */
  index: number;
  name: string;
}

/**
 * `unquoted`: also judge bare values (`TOKEN=abc123`), for shell, YAML, INI and the like,
 * where a bare word is a literal. In programming languages a bare value is an expression
 * (`token = session?.token`), and a credential in code is a quoted string.
 */
export function findAssignedSecret(text: string, unquoted: boolean): AssignedSecret | null {
  NAME_LOCATOR.lastIndex = 0;
  for (let hit = NAME_LOCATOR.exec(text); hit !== null; hit = NAME_LOCATOR.exec(text)) {
    let start = hit.index;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    let end = hit.index + hit[0].length;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    NAME_LOCATOR.lastIndex = end;
    // `config.password = ...` assigns a password; `token.type = ...` assigns a type.
    const lastDot = text.lastIndexOf(".", end - 1);
    const name = text.slice(lastDot >= start ? lastDot + 1 : start, end);
    if (!isSecretName(name)) continue;
    const value = assignedValue(text, end);
    if (value && (value.quoted || unquoted) && (isSecretValue(value.text, value.quoted) || (isPasswordName(name) && isChosenPassword(value.text)))) return { index: value.index, name: ownCopy(name) };
  }
  return null;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 /* _ */ || c === 45 /* - */ || c === 46 /* . */ || c === 36 /* $ */;
}

/** Splits `dbPassword`, `DB_PASSWORD`, `api-key`, `aws.secret.key` into lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.\-$]+/)
    .filter((w) => w.length > 0);
}

// Code repeats its names: remember the verdict on each (bounded, so a huge file cannot grow it).
const nameVerdicts = new Map<string, boolean>();
const NAME_CACHE_LIMIT = 10_000;

export function isSecretName(name: string): boolean {
  let verdict = nameVerdicts.get(name);
  if (verdict === undefined) {
    verdict = judgeName(name);
    if (nameVerdicts.size >= NAME_CACHE_LIMIT) nameVerdicts.clear();
    nameVerdicts.set(ownCopy(name), verdict); // not the slice: it would keep its whole file alive
  }
  return verdict;
}

function judgeName(name: string): boolean {
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (SECRET_WORDS.has(word)) return true;
    if (word === "key" && i > 0 && KEY_QUALIFIERS.has(words[i - 1] as string)) return true;
  }
  return false;
}

/** The literal after `name`: `name = v`, `name: "v"`, `"name": "v"`, `name := v`, `'name' => 'v'`. */
function assignedValue(text: string, from: number): { text: string; index: number; quoted: boolean } | null {
  let p = from;
  const c0 = text.charCodeAt(p);
  if (c0 === 0x22 || c0 === 0x27 || c0 === 0x60) p++; // the closing quote of a quoted key
  while (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09) p++;
  // Assignments and key/value pairs only: a comparison (`token.kind === "Identifier"`) names
  // what a value is checked against, and that is almost never a credential.
  const op = /^(?::=|=>|=(?!=)|:(?!:))/.exec(text.slice(p, p + 3));
  if (!op) return null;
  p += op[0].length;
  while (text.charCodeAt(p) === 0x20 || text.charCodeAt(p) === 0x09) p++;
  // A quote escaped by a backslash is still a quote: a notebook's JSON holds `key = \"v\"`.
  const escaped = text.charCodeAt(p) === 0x5c && [0x22, 0x27].includes(text.charCodeAt(p + 1));
  if (escaped) p++;
  const q = text.charCodeAt(p);
  if (q === 0x22 || q === 0x27 || q === 0x60) {
    let close = text.indexOf(String.fromCharCode(q), p + 1);
    if (close === -1 || close - p > 257) return null;
    if (escaped && text.charCodeAt(close - 1) === 0x5c) close--;
    return { text: text.slice(p + 1, close), index: p + 1, quoted: true };
  }
  let end = p;
  while (end < text.length && end - p <= 256) {
    const c = text.charCodeAt(end);
    if (c <= 0x20 || UNQUOTED_VALUE_END.has(c)) break;
    end++;
  }
  return end > p ? { text: text.slice(p, end), index: p, quoted: false } : null;
}

/** The name's last word says password: `DB_PASSWORD`, `keyPassword`, `smtp.pass`, not `PASSWORD_RESET_URL`. */
export function isPasswordName(name: string): boolean {
  const words = nameWords(name);
  return words.length > 0 && PASSWORD_WORDS.has(words[words.length - 1] as string);
}

/** A password a person chose: short is allowed, but not a word, a reference or a placeholder. */
export function isChosenPassword(value: string): boolean {
  if (value.length < 6 || value.length > 128) return false;
  if (NOT_A_LITERAL.test(value) || isPlaceholder(value) || WORDS_ONLY.test(value) || SELECTOR_OR_PATH.test(value)) return false;
  if (VARIABLE_REFERENCE.test(value) && !/\d/.test(value)) return false;
  return characterClasses(value) >= 2 && shannonEntropy(value) >= 2.5;
}

/** A CSS selector (#password-input) or a path (/account/password/reset): about a secret, not one. */
const SELECTOR_OR_PATH = /^(?:[#.][A-Za-z][\w-]*|\.{0,2}\/[\w./-]*)$/;

export function isSecretValue(value: string, quoted: boolean): boolean {
  if (value.length < (quoted ? 12 : 16) || value.length > 256) return false;
  if (NOT_A_LITERAL.test(value) || isPlaceholder(value) || SELECTOR_OR_PATH.test(value)) return false;
  if (WORDS_ONLY.test(value)) return false;
  // Unquoted: `token = getToken`, `password: process.env.DB_PASSWORD` name things; a generated
  // value has digits among its letters.
  if (!quoted && VARIABLE_REFERENCE.test(value) && !/\d/.test(value)) return false;
  if (/^[a-z]+:\/\//i.test(value) && !value.includes("@")) return false; // a URL (credentials in URLs: secret-patterns.ts)
  return characterClasses(value) >= 2 && shannonEntropy(value) >= 3;
}
