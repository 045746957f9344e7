import { randomBytes } from "node:crypto";

/** A fresh value for the webview's Content-Security-Policy on every render. */
export function makeNonce(): string {
  return randomBytes(18).toString("base64");
}
