// Credentials recognised by their shape or by the syntax around them: the token formats the
// providers document (fixed prefixes, lengths and alphabets), connection strings, auth headers,
// private keys in every common container, and the places build and client settings keep
// passwords (XML elements, NuGet's <add key= value=>, .netrc, .npmrc, kube configs). Values
// assigned to names like `password` or `api_key` are found by assigned-secrets.ts, and long
// random literals anywhere by high-entropy-literal.ts.
//
// Every pattern contains a literal (`locator`) that find-secret.ts looks for with one combined
// regular expression, trying the full pattern only where a locator occurs: one pass over a file
// instead of one per pattern.
//
// The kinds follow what gitleaks and detect-secrets look for (read, not copied); each shape here
// was written from the provider's documented format.
import { characterClasses, looksRandom, shannonEntropy } from "./entropy";
import { isPlaceholder } from "./placeholders";

export interface SecretPattern {
  /** Shown in the manifest ("secret: github-token on line 12"); never the value itself. */
  id: string;
  /** Regular-expression source of a literal every match contains. */
  locator: string;
  /** How many characters before the locator a match may start (tried from the farthest). */
  lead?: number;
  /** The whole shape, tried where the locator occurs. Must have the y (sticky) flag. */
  regex: RegExp;
  /** Extra check on the match, for shapes that ordinary text can also take. */
  accept?: (match: RegExpExecArray) => boolean;
  /**
   * Found by the syntax around a value (a header, a settings entry) rather than by a token's
   * own shape: reported only when no shape names the credential better (a GitHub token in an
   * Authorization header is reported as github-token).
   */
  context?: true;
}

/** Base64 that decodes to `user:password` with a real password: HTTP Basic and docker's "auth". */
function basicCredentials(b64: string): boolean {
  let decoded: string;
  try {
    decoded = Buffer.from(b64, "base64").toString("utf8");
  } catch {
    return false;
  }
  const colon = decoded.indexOf(":");
  // Random bytes are no credentials: a decoded user:password is printable text.
  if (colon <= 0 || [...decoded].some((c) => c < " " || c === "\ufffd")) return false;
  const password = decoded.slice(colon + 1);
  return password.length >= 4 && !isPlaceholder(password);
}

/** A password written in a URL, a header or a settings file: anything but a placeholder or a reference. */
function realPassword(value: string, minLength = 4): boolean {
  let v = value;
  try {
    v = decodeURIComponent(value); // p%40ss is p@ss
  } catch {
    // a lone % is kept as it is
  }
  if (v.length < minLength || isPlaceholder(v)) return false;
  if (/^\d{1,6}$/.test(v)) return false; // host:port, not user:password
  return true;
}

/** <passwordPolicy>, <tokenUrl>, <secretName>: elements about a secret, not holding one. */
const NOT_A_SECRET_ELEMENT = /(?:type|kind|name|length|policy|field|hint|prompt|label|id|url|uri|file|path|format|ref|count|size|mode|expiry|expires|expiration|endpoint|header|provider|store|manager|enabled|required)$/i;

// `(?![\w-])` instead of `\b` where a token's alphabet includes "-".
export const SECRET_PATTERNS: SecretPattern[] = [
  // Cloud
  { id: "aws-access-key-id", locator: "A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)", regex: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/y, accept: (m) => !isPlaceholder(m[0]) },
  {
    id: "aws-secret-access-key", context: true,
    locator: "(?:aws|AWS)_?(?:secret|SECRET)",
    regex: /(?:aws|AWS)_?(?:secret|SECRET)_?(?:access|ACCESS)?_?(?:key|KEY)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/y,
    accept: (m) => looksRandom(m[1]!, 40, 4) && !isPlaceholder(m[1]!),
  },
  { id: "gcp-api-key", locator: "AIza", regex: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/y },
  { id: "gcp-oauth-client-secret", locator: "GOCSPX-", regex: /\bGOCSPX-[0-9A-Za-z_-]{28}(?![\w-])/y },
  { id: "gcp-access-token", locator: "ya29\\.", regex: /\bya29\.[0-9A-Za-z_-]{30,}/y },
  // A service account's key file: its type and, in the same object, the private key (a file that
  // only names the type, as documentation does, holds nothing).
  { id: "gcp-service-account-key", locator: '"type"', regex: /"type"\s*:\s*"service_account"[^{}]{0,4000}?"private_key(?:_id)?"\s*:\s*"[^"]{16,}"/y },
  { id: "azure-storage-key", locator: "AccountKey=", regex: /AccountKey=[A-Za-z0-9+/]{80,}={0,2}/y },
  // Service Bus, Event Hubs, IoT Hub, Relay: Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=<44 base64>
  { id: "azure-shared-access-key", locator: "SharedAccessKey=", regex: /SharedAccessKey=([A-Za-z0-9+/]{42,44}={0,2})/y, accept: (m) => !isPlaceholder(m[1]!) },
  { id: "azure-sas-token", locator: "sig=", lead: 1, regex: /[?&;]sig=[A-Za-z0-9%+/]{40,}/y },
  { id: "azure-client-secret", locator: "Q~", lead: 4, regex: /\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/y },
  { id: "digitalocean-token", locator: "do[opr]_v1_", regex: /\bdo[opr]_v1_[a-f0-9]{64}\b/y },
  { id: "heroku-api-key", locator: "HRKU-", regex: /\bHRKU-[A-Za-z0-9_-]{60,}/y },
  // Connection strings and URLs that carry a password: any scheme, percent-encoding allowed.
  {
    id: "password-in-url",
    locator: ":\\/\\/",
    regex: /:\/\/([^\s/:@"'`<>]{0,64}):([^\s/@"'`<>]{3,128})@[A-Za-z0-9[\]._-]/y,
    accept: (m) => realPassword(m[2]!),
  },
  {
    // ADO.NET / JDBC / ODBC: Server=...;User Id=...;Password=...;
    id: "connection-string-password", context: true,
    locator: "(?:[Pp]assword|PWD|[Pp]wd)=",
    lead: 1,
    regex: /[;"'\s](?:[Pp]assword|PWD|[Pp]wd)=([^;"'\s]{4,128})(?=[;"'\s]|$)/y,
    accept: (m) => realPassword(m[1]!),
  },
  // Auth headers
  {
    id: "authorization-header", context: true,
    locator: "[Aa]uthorization",
    regex: /[Aa]uthorization["']?\s*[:=,]\s*["']?(?:Bearer|bearer|Token|token|Bot|Basic|basic|Digest|ApiKey|Api-Key)\s+([A-Za-z0-9\-._~+/]{12,}=*)/y,
    accept: (m) => !isPlaceholder(m[1]!) && (looksRandom(m[1]!, 12, 3) || basicCredentials(m[1]!)),
  },
  {
    id: "bearer-token", context: true,
    locator: "[Bb]earer ",
    regex: /[Bb]earer ([A-Za-z0-9\-._~+/]{20,}=*)/y,
    accept: (m) => !isPlaceholder(m[1]!) && characterClasses(m[1]!) >= 3 && looksRandom(m[1]!, 20, 3.5),
  },
  { id: "basic-auth-header", context: true, locator: "Basic ", regex: /\bBasic ([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/y, accept: (m) => basicCredentials(m[1]!) },
  {
    // curl -u user:password, curl --user 'user:password'
    id: "curl-user-password", context: true,
    locator: "(?:-u|--user)[ =]",
    lead: 1,
    regex: /\s(?:-u|--user)[ =]["']?([^\s:"']{1,64}):([^\s"',;)]{4,128})/y,
    accept: (m) => realPassword(m[2]!),
  },
  // Version control and package registries
  { id: "github-token", locator: "gh[pousr]_", regex: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/y },
  { id: "github-fine-grained-token", locator: "github_pat_", regex: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/y },
  { id: "gitlab-token", locator: "gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|wt)-", regex: /\bgl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|wt)-[A-Za-z0-9_-]{20,}/y },
  { id: "bitbucket-app-password", locator: "ATBB", regex: /\bATBB[A-Za-z0-9_=.-]{28,}/y, accept: (m) => looksRandom(m[0], 32, 3.5) },
  { id: "atlassian-api-token", locator: "ATATT3", regex: /\bATATT3[A-Za-z0-9_=.-]{50,}/y },
  { id: "npm-token", locator: "npm_", regex: /\bnpm_[A-Za-z0-9]{36}\b/y },
  {
    // .npmrc: _auth (base64 user:password), _authToken, _password
    id: "npmrc-auth", context: true,
    locator: "_(?:auth|authToken|password)\\s*=",
    regex: /_(?:auth|authToken|password)\s*=\s*["']?([^\s"'$]{8,})/y,
    accept: (m) => !isPlaceholder(m[1]!) && !/^\$\{/.test(m[1]!),
  },
  { id: "pypi-token", locator: "pypi-AgE", regex: /\bpypi-AgE[A-Za-z0-9_-]{50,}/y },
  { id: "nuget-api-key", locator: "oy2", regex: /\boy2[a-z0-9]{43}\b/y },
  { id: "docker-hub-token", locator: "dckr_pat_", regex: /\bdckr_pat_[A-Za-z0-9_-]{20,}/y },
  { id: "docker-config-auth", context: true, locator: '"auth"', regex: /"auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})"/y, accept: (m) => basicCredentials(m[1]!) },
  { id: "rubygems-api-key", locator: "rubygems_", regex: /\brubygems_[a-f0-9]{48}\b/y },
  // Chat, mail and messaging
  { id: "slack-token", locator: "xox[abposre]-", regex: /\bxox[abposre]-[A-Za-z0-9-]{10,}/y },
  { id: "slack-webhook", locator: "hooks\\.slack\\.com/", lead: 8, regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}/y },
  { id: "discord-bot-token", locator: "[MNO][A-Za-z0-9_-]{23,27}\\.", regex: /\b[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![\w-])/y, accept: (m) => looksRandom(m[0], 50, 4) },
  { id: "discord-webhook", locator: "discord(?:app)?\\.com/api/webhooks/", lead: 8, regex: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{5,}\/[A-Za-z0-9_-]{50,}/y },
  { id: "telegram-bot-token", locator: ":AA", lead: 10, regex: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])/y },
  { id: "twilio-api-key", locator: "SK[0-9a-fA-F]", regex: /\bSK[0-9a-f]{32}\b/y },
  { id: "sendgrid-api-key", locator: "SG\\.", regex: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/y },
  { id: "mailgun-api-key", locator: "key-[0-9a-f]", regex: /\bkey-[0-9a-f]{32}\b/y },
  { id: "mailchimp-api-key", locator: "-us\\d", lead: 32, regex: /\b[0-9a-f]{32}-us\d{1,2}\b/y },
  { id: "postmark-server-token", locator: "X-Postmark-Server-Token", regex: /X-Postmark-Server-Token["']?\s*[:=,]\s*["']?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/y },
  // Payment
  { id: "stripe-secret-key", locator: "[sr]k_(?:live|test)_", regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}\b/y },
  { id: "stripe-webhook-secret", locator: "whsec_", regex: /\bwhsec_[A-Za-z0-9]{32,}\b/y },
  { id: "braintree-access-token", locator: "access_token\\$(?:production|sandbox)\\$", regex: /access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}/y },
  { id: "square-token", locator: "sq0(?:atp|csp)-|EAAA", regex: /\b(?:sq0atp-[A-Za-z0-9_-]{22,60}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})(?![\w-])/y },
  { id: "shopify-token", locator: "shp(?:at|ca|pa|ss)_", regex: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/y },
  // AI providers
  {
    id: "openai-style-key",
    // sk-..., sk-proj-..., sk-ant-...: the prefix also starts CSS class names ("sk-spinner-..."),
    // so the body must look generated.
    locator: "sk-",
    regex: /\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-|admin\d\d-)?)?[A-Za-z0-9_-]{20,}/y,
    accept: (m) => characterClasses(m[0].replace(/^sk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-|admin\d\d-)?)?/, "")) >= 3 && looksRandom(m[0], 20, 3.5),
  },
  { id: "huggingface-token", locator: "hf_", regex: /\bhf_[A-Za-z0-9]{34,}\b/y },
  { id: "ai-provider-key", locator: "gsk_|r8_|pplx-|xai-", regex: /\b(?:gsk_[A-Za-z0-9]{48,}|r8_[A-Za-z0-9]{37}|pplx-[A-Za-z0-9]{48}|xai-[A-Za-z0-9]{70,})\b/y },
  // Tokens of any issuer, and private keys in every common container
  { id: "jwt", locator: "eyJ", regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/y },
  // PEM (PKCS#1, PKCS#8, SEC1, encrypted), OpenSSH and PGP armour all say PRIVATE KEY.
  { id: "private-key", locator: "-----BEGIN", regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/y },
  { id: "putty-private-key", locator: "PuTTY-User-Key-File-", regex: /PuTTY-User-Key-File-\d: /y },
  { id: "age-secret-key", locator: "AGE-SECRET-KEY-1", regex: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/y },
  {
    // A JSON Web Key with its private part: "d" (RSA, EC, OKP) or "k" (a symmetric key).
    id: "jwk-private-key",
    locator: '"kty"',
    regex: /"kty"\s*:\s*"(?:RSA|EC|OKP|oct)"[^{}]{0,2000}?"(?:d|k)"\s*:\s*"([A-Za-z0-9_-]{16,})"/y,
    accept: (m) => shannonEntropy(m[1]!) >= 3.5,
  },
  // Where settings files keep passwords
  {
    // Maven settings.xml <password>, <passphrase>, Ant/Spring/.NET XML elements named like a secret.
    id: "xml-secret-element", context: true,
    locator: "<[A-Za-z_.:-]*(?:[Pp]ass(?:word|wd|phrase)?|PASS(?:WORD)?|[Ss]ecret|SECRET|[Tt]oken|TOKEN|[Aa]pi[_.-]?[Kk]ey|API_?KEY)[A-Za-z_.:-]*>",
    regex: /<([A-Za-z_.:-]*(?:[Pp]ass(?:word|wd|phrase)?|PASS(?:WORD)?|[Ss]ecret|SECRET|[Tt]oken|TOKEN|[Aa]pi[_.-]?[Kk]ey|API_?KEY)[A-Za-z_.:-]*)>([^<>\n]{4,256})<\/\1>/y,
    accept: (m) => !NOT_A_SECRET_ELEMENT.test(m[1]!) && realPassword(m[2]!.trim()),
  },
  {
    // NuGet.config <packageSourceCredentials>: <add key="ClearTextPassword" value="..." />; appSettings alike.
    id: "xml-key-value-secret", context: true,
    locator: "<add\\s+key=",
    regex: /<add\s+key\s*=\s*"([^"]{1,80})"\s+value\s*=\s*"([^"]{4,256})"/y,
    accept: (m) => /pass(?:word)?|secret|token|api[-_.]?key|connectionstring/i.test(m[1]!) && realPassword(m[2]!),
  },
  {
    // .netrc / _netrc: machine HOST login USER password PASS (on one line or several)
    id: "netrc-password", context: true,
    locator: "machine\\s",
    regex: /machine\s+\S+\s+(?:login\s+\S+\s+)?password\s+(\S{4,})/y,
    accept: (m) => realPassword(m[1]!),
  },
  {
    // kube config: a client's private key or a bearer token of a user entry
    id: "kubeconfig-credential", context: true,
    locator: "client-key-data:|auth-provider:|\\btoken:",
    regex: /(?:client-key-data:\s*[A-Za-z0-9+/]{40,}={0,2}|token:\s*["']?([A-Za-z0-9._~+/-]{20,}=*)["']?\s*$)/my,
    accept: (m) => m[1] === undefined || (!isPlaceholder(m[1]) && looksRandom(m[1], 20, 3.5)),
  },
  {
    // A Kubernetes Secret manifest with values under data: or stringData:
    id: "kubernetes-secret", context: true,
    locator: "kind:\\s*[\"']?Secret",
    regex: /kind:\s*["']?Secret["']?\s*\n(?:.*\n){0,40}?\s*(?:data|stringData):\s*\n\s+[\w.-]+:\s*["']?[^\s"'{][^\n]{3,}/y,
  },
];
