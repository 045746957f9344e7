// Binary by content: a NUL byte (what git itself looks for) or bytes that are not UTF-8.
import { isUtf8 } from "node:buffer";

export function binaryContentRule(bytes: Uint8Array): string | null {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return `NUL byte at offset ${nul}`;
  if (!isUtf8(bytes)) return "invalid UTF-8";
  return null;
}
