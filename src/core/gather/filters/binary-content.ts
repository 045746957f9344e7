// Binary by content: a NUL byte (what git itself looks for) or bytes that are not UTF-8. The
// detail says which, and names UTF-16 (what Windows tools often write) so the user knows the
// file is text RepoTune could read once converted to UTF-8.
import { isUtf8 } from "node:buffer";
import { firstInvalidUtf8Byte, looksLikeUtf16, utf16Bom } from "../../untrusted/text-encoding";

export function binaryContentRule(bytes: Uint8Array): string | null {
  const nul = bytes.indexOf(0);
  // Only a file with a NUL or a byte order mark can be UTF-16: the common case costs nothing more.
  if (nul !== -1 || utf16Bom(bytes)) {
    const utf16 = looksLikeUtf16(bytes);
    if (utf16) return `${utf16} text${utf16Bom(bytes) ? " (with a byte order mark)" : ""}, not UTF-8: convert it to UTF-8 to include it`;
  }
  if (nul !== -1) return `NUL byte at offset ${nul}`;
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8Byte(bytes);
    return `invalid UTF-8 at byte ${at} (0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")}): another encoding such as Latin-1, or not text`;
  }
  return null;
}
