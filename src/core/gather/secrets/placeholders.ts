// Values that stand in for a secret rather than being one: references to something else
// (${DB_PASSWORD}, $(cat pass.txt), {{ .Values.password }}, %PASSWORD%, <password>), masks
// (*****, xxxx), well-known defaults and words (password, changeme, root), and test fixtures
// that only look like keys (AKIA...EXAMPLE). One list for every rule, so a rule never flags
// what another deliberately lets through.

/** A reference or a template: the value lives somewhere else. */
const REFERENCE = /^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|\{\{.*\}\}|%[A-Za-z_][\w.]*%|<[^<>]*>|\[[^[\]]*\]|@[A-Za-z_][\w.]*@|#\{[^}]*\})$/;
/** Contains a reference: "pre${SUFFIX}", "Bearer {{token}}". */
const CONTAINS_REFERENCE = /\$\{|\{\{|\$\(|%\(|#\{/;
const MASK = /^(?:\*+|x+|X+|\.+|-+|_+|#+|•+|0+|1234(?:5678?)?|12345678?9?0?)$/;
/** Defaults and words people write where the real value goes. */
const WORDS = new Set([
  "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key", "changeme", "changeit", "admin", "root", "test", "testing",
  "guest", "demo", "user", "username", "postgres", "mysql", "example", "sample", "foo", "bar", "foobar", "baz", "none", "null", "nil", "empty",
  "redacted", "hidden", "secret123", "password123", "mypassword", "mysecret", "default", "qwerty", "letmein", "value", "string", "required",
]);
/** Words that mark a fixture, a template or documentation, anywhere in the value. */
const MARKER = /example|placeholder|changeme|change_me|your[-_]?|redacted|dummy|replace|insert|todo|xxxx|\*\*\*|fake|sample|notreal|not_a_real/i;

export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, "");
  if (v === "") return true;
  if (REFERENCE.test(v) || CONTAINS_REFERENCE.test(v) || MASK.test(v)) return true;
  if (WORDS.has(v.toLowerCase())) return true;
  return MARKER.test(v);
}
