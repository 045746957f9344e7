// Files whose name says they hold secrets: excluded without being read, even when their
// contents would pass the credential patterns (a key in a format no pattern knows).
import type { PathParts } from "./path-parts";

const SECRET_NAMES = new Set([
  ".netrc",
  "_netrc",
  ".pgpass",
  ".npmrc",
  ".pypirc",
  ".git-credentials",
  ".htpasswd",
  ".dockercfg",
  "credentials",
  "credentials.json",
  "credentials.yml",
  "credentials.yaml",
  "secrets.json",
  "secrets.yml",
  "secrets.yaml",
  "secrets.toml",
  ".secrets",
  "master.key",
  "terraform.tfstate",
  "kubeconfig",
  ".kubeconfig",
]);

const SECRET_EXTENSIONS = new Set([".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".bks", ".p8", ".ppk", ".kdbx", ".keychain", ".crt", ".cer", ".der", ".csr", ".gpg", ".tfvars", ".tfstate", ".ovpn"]);

const SECRET_NAME_SHAPES: RegExp[] = [
  /^\.env(?:\..*)?$/, // .env, .env.local, .env.production (templates too: they are often filled in)
  /^.*\.env$/, // production.env
  /^id_(?:rsa|dsa|ecdsa|ed25519)(?:\..*)?$/, // ssh keys and their .pub
  /^client_secrets?.*\.json$/, // Google OAuth client files
  /^service[-_]?account.*\.json$/, // GCP service account keys
  /^.*\.(?:pem|key)\..*$/, // server.key.bak
];

/** The rule that marks this file as secret-shaped, or null. */
export function secretFileRule(parts: PathParts): string | null {
  if (SECRET_NAMES.has(parts.lowerName)) return `named ${parts.name}`;
  if (SECRET_EXTENSIONS.has(parts.extension)) return `${parts.extension} file`;
  for (const shape of SECRET_NAME_SHAPES) if (shape.test(parts.lowerName)) return `named like ${shape.source}`;
  if (parts.folders.includes(".ssh") || parts.folders.includes(".gnupg") || parts.folders.includes(".aws") || parts.folders.includes(".kube")) return "in a credentials folder";
  if (parts.lowerName === "config.json" && parts.folders[parts.folders.length - 1] === ".docker") return "docker credentials";
  return null;
}
