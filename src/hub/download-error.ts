// Why a download failed, as a kind a caller can branch on (the CLI's exit message, the
// extension's "Retry" / "Set token" buttons) and a message that says what to do.

export type DownloadErrorKind = "offline" | "unauthorized" | "gated" | "not-found" | "disk-full" | "checksum" | "http" | "cancelled";

export class DownloadError extends Error {
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DownloadError";
  }
}

/**
 * A failure worth another try (a cut connection, a timeout, a 5xx): the attempt loop retries it,
 * resuming from the .part, and turns it into a DownloadError when the tries run out.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** Whether bytes were flowing (a cut body) rather than the server never answering. */
    readonly midBody: boolean,
  ) {
    super(message);
    this.name = "TransientError";
  }
}

/** Node's network error codes that mean "could not reach the server", not "the server said no". */
export const UNREACHABLE_CODES = new Set(["ENOTFOUND", "ECONNREFUSED", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN"]);
/** Codes of a connection that broke after it was made. */
export const CUT_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "UND_ERR_SOCKET"]);
