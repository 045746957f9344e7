// Credentials recognised by their shape: the token formats the providers document (fixed
// prefixes, lengths and alphabets), private-key blocks and JWTs. Values assigned to names like
// `password` or `api_key` are found by assigned-secrets.ts instead.
//
// Every pattern contains a literal (`locator`) that find-secret.ts looks for with one combined
// regular expression, trying the full pattern only where a locator occurs: one pass over a file
// instead of one per pattern, about a third of the cost.
import { characterClasses, looksRandom } from "./entropy";

export interface SecretPattern {
  /** Shown in the manifest ("secret: github-token on line 12"); never the value itself. */
  id: string;
  /** Regular-expression source of a literal every match contains. */
  locator: string;
  /** How many characters before the locator a match starts (0: the match starts with it). */
  lead?: number;
  /** The whole shape, tried where the locator occurs. Must have the y (sticky) flag. */
  regex: RegExp;
  /** Extra check on the match, for shapes that ordinary text can also take. */
  accept?: (match: string) => boolean;
}

// `(?![\w-])` instead of `\b` where a token's alphabet includes "-".
export const SECRET_PATTERNS: SecretPattern[] = [
  { id: "aws-access-key-id", locator: "A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)", regex: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/y },
  { id: "gcp-api-key", locator: "AIza", regex: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/y },
  { id: "gcp-oauth-client-secret", locator: "GOCSPX-", regex: /\bGOCSPX-[0-9A-Za-z_-]{28}(?![\w-])/y },
  { id: "gcp-access-token", locator: "ya29\\.", regex: /\bya29\.[0-9A-Za-z_-]{30,}/y },
  { id: "gcp-service-account-key", locator: '"type"', regex: /"type"\s*:\s*"service_account"/y },
  { id: "azure-storage-key", locator: "AccountKey=", regex: /AccountKey=[A-Za-z0-9+/]{80,}={0,2}/y },
  { id: "azure-sas-token", locator: "sig=", lead: 1, regex: /[?&]sig=[A-Za-z0-9%+/]{40,}/y },
  { id: "azure-client-secret", locator: "Q~", lead: 4, regex: /\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/y },
  { id: "github-token", locator: "gh[pousr]_", regex: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/y },
  { id: "github-fine-grained-token", locator: "github_pat_", regex: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/y },
  { id: "gitlab-token", locator: "gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|wt)-", regex: /\bgl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|wt)-[A-Za-z0-9_-]{20,}/y },
  { id: "slack-token", locator: "xox[abposre]-", regex: /\bxox[abposre]-[A-Za-z0-9-]{10,}/y },
  { id: "slack-webhook", locator: "hooks\\.slack\\.com/", lead: 8, regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}/y },
  { id: "stripe-secret-key", locator: "[sr]k_(?:live|test)_", regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}\b/y },
  { id: "stripe-webhook-secret", locator: "whsec_", regex: /\bwhsec_[A-Za-z0-9]{32,}\b/y },
  {
    id: "openai-style-key",
    // sk-..., sk-proj-..., sk-ant-...: the prefix also starts CSS class names ("sk-spinner-..."),
    // so the body must look generated.
    locator: "sk-",
    regex: /\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}/y,
    accept: (m) => characterClasses(m.replace(/^sk-(?:proj-|svcacct-|admin-|ant-)?/, "")) >= 3 && looksRandom(m, 20, 3.5),
  },
  { id: "huggingface-token", locator: "hf_", regex: /\bhf_[A-Za-z0-9]{34,}\b/y },
  { id: "npm-token", locator: "npm_", regex: /\bnpm_[A-Za-z0-9]{36}\b/y },
  { id: "private-key", locator: "-----BEGIN", regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/y },
  { id: "jwt", locator: "eyJ", regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/y },
  {
    id: "password-in-url",
    // scheme://user:password@host, with a password that is not "password" or "${PASS}".
    locator: ":\\/\\/",
    regex: /:\/\/[^\s/:@"'`]{1,64}:[^\s/:@"'`]{6,128}@/y,
    accept: (m) => {
      const password = m.slice(m.lastIndexOf(":") + 1, -1);
      return !/[${}<>%]/.test(password) && looksRandom(password, 8, 3);
    },
  },
];
