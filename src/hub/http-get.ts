// One GET with node:http/https and nothing automatic: no redirect following (the hub's first
// 302 carries the file's size and sha256, which a following client would drop), an idle
// timeout on the socket (connect, headers and body alike), and the caller's AbortSignal.
import * as http from "node:http";
import * as https from "node:https";

export interface GetOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds without a byte before the request is given up with code ETIMEDOUT. */
  idleTimeoutMs: number;
}

export function httpGet(url: URL, opts: GetOptions): Promise<http.IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: "GET", headers: opts.headers, signal: opts.signal, agent: false });
    req.setTimeout(opts.idleTimeoutMs, () => {
      const err = Object.assign(new Error(`no data from ${url.host} for ${Math.round(opts.idleTimeoutMs / 1000)} s`), { code: "ETIMEDOUT" });
      req.destroy(err);
    });
    req.once("response", (res) => {
      // The idle timeout keeps guarding the body: a stalled socket errors the response stream.
      res.once("error", () => undefined); // surfaced to the reader of the body; avoid an unhandled event
      req.once("error", (err) => res.destroy(err));
      resolve(res);
    });
    req.once("error", reject);
    req.end();
  });
}

/** Drops a response we will not read (a redirect's body, an error page), freeing its socket. */
export function discard(res: http.IncomingMessage): void {
  res.resume();
  res.destroy();
}
