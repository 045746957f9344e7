// A loopback stand-in for the Hugging Face hub and its CDN, answering as they do:
// GET /{repo}/resolve/{rev}/{file} -> 302 to the CDN with X-Linked-Etag (sha256, quoted),
// X-Linked-Size, X-Repo-Commit and ETag; the CDN serves the bytes and honours Range (206 +
// Content-Range, 416 past the end). Knobs make it misbehave the ways real networks do, and
// every request is recorded so tests can assert Range and Authorization headers.
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeFile {
  repo: string;
  file: string;
  bytes: Buffer;
  /** 401 unless the request carries the hub's token. */
  private?: boolean;
  /** 403 unless the request carries `gatedToken` (a token whose account accepted the licence); 401 without any token. */
  gated?: boolean;
  /** false: served directly with 200 and a git-sha1 ETag, as the hub serves small non-LFS files. */
  lfs?: boolean;
}

export interface FakeHubOptions {
  files: FakeFile[];
  /** The token private files require. */
  token?: string;
  /** The token of an account that accepted gated licences. */
  gatedToken?: string;
  /** Serve the CDN from a second server (another host:port), as the real CDN is another host. */
  separateCdn?: boolean;
  /** Cut the connection after this many body bytes... */
  cutAfterBytes?: number;
  /** ...on the first this-many CDN requests (default 1). */
  cutRequests?: number;
  /** Serve a body with one byte flipped (same length). */
  corrupt?: boolean;
  /** Send this many bytes, then nothing, never ending the response. */
  stallAfterBytes?: number;
  /** Write the body in 64 KiB pieces with this pause between them (for cancelling mid-body). */
  chunkDelayMs?: number;
  commit?: string;
}

export interface RecordedRequest {
  server: "hub" | "cdn";
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeHub {
  /** The hub's base URL, e.g. http://127.0.0.1:41234. */
  endpoint: string;
  /** The CDN's origin (the hub's own when not separate). */
  cdnOrigin: string;
  requests: RecordedRequest[];
  sha256(bytes: Buffer): string;
  close(): Promise<void>;
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Buffer): string => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  const requests: RecordedRequest[] = [];
  const bySha = new Map(opts.files.map((f) => [sha256(f.bytes), f]));
  const commit = opts.commit ?? "0123456789abcdef0123456789abcdef01234567";
  let cdnRequests = 0;
  const sockets = new Set<import("node:net").Socket>();

  const sendBody = (req: http.IncomingMessage, res: http.ServerResponse, file: FakeFile, extra: Record<string, string>): void => {
    const full = opts.corrupt ? Buffer.from(file.bytes) : file.bytes;
    if (opts.corrupt) full.writeUInt8(full.readUInt8(full.length >> 1) ^ 0xff, full.length >> 1);
    const size = full.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    let start = 0;
    if (range) {
      start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416, { "Content-Range": `bytes */${size}`, ...extra });
        res.end();
        return;
      }
      res.writeHead(206, { "Content-Length": String(size - start), "Content-Range": `bytes ${start}-${size - 1}/${size}`, "Accept-Ranges": "bytes", ...extra });
    } else {
      res.writeHead(200, { "Content-Length": String(size), "Accept-Ranges": "bytes", ...extra });
    }
    const body = full.subarray(start);
    const cdnIndex = cdnRequests++;
    const cut = opts.cutAfterBytes !== undefined && cdnIndex < (opts.cutRequests ?? 1) ? opts.cutAfterBytes : undefined;
    if (cut !== undefined) {
      res.write(body.subarray(0, Math.min(cut, body.length)), () => res.socket?.destroy());
      return;
    }
    if (opts.stallAfterBytes !== undefined) {
      res.write(body.subarray(0, opts.stallAfterBytes)); // and never end
      return;
    }
    if (!opts.chunkDelayMs) {
      res.end(body);
      return;
    }
    let at = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (at >= body.length) return void res.end();
      const piece = body.subarray(at, at + 65536);
      at += piece.length;
      res.write(piece, () => setTimeout(next, opts.chunkDelayMs));
    };
    next();
  };

  const cdnHandler = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const m = /^\/cdn\/([0-9a-f]{64})$/.exec(req.url ?? "");
    if (!m) return false;
    const file = bySha.get(m[1]!);
    if (!file) {
      res.writeHead(404).end();
      return true;
    }
    sendBody(req, res, file, { ETag: `"${m[1]}"` });
    return true;
  };

  const cdn = opts.separateCdn ? http.createServer() : undefined;
  const hub = http.createServer();
  const hubOrigin = await listen(hub);
  const cdnOrigin = cdn ? await listen(cdn) : hubOrigin;
  for (const s of [hub, cdn]) s?.on("connection", (sock) => { sockets.add(sock); sock.on("close", () => sockets.delete(sock)); });

  cdn?.on("request", (req, res) => {
    requests.push({ server: "cdn", method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    if (!cdnHandler(req, res)) res.writeHead(404).end();
  });
  hub.on("request", (req, res) => {
    const isCdn = !cdn && (req.url ?? "").startsWith("/cdn/");
    requests.push({ server: isCdn ? "cdn" : "hub", method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    if (isCdn) {
      if (!cdnHandler(req, res)) res.writeHead(404).end();
      return;
    }
    const m = /^\/(.+?\/.+?)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURI(req.url ?? ""));
    const file = m && opts.files.find((f) => f.repo === m[1] && f.file === m[3]);
    if (!file) {
      res.writeHead(404, { "X-Error-Code": "EntryNotFound" }).end("Entry not found");
      return;
    }
    const auth = req.headers.authorization;
    if (file.private && auth !== `Bearer ${opts.token}`) {
      res.writeHead(401, { "X-Error-Code": "RepoNotFound" }).end("Invalid credentials");
      return;
    }
    if (file.gated) {
      if (!auth) return void res.writeHead(401).end("Access to this model is restricted: log in");
      if (auth !== `Bearer ${opts.gatedToken}`) return void res.writeHead(403, { "X-Error-Code": "GatedRepo" }).end("Access restricted");
    }
    const sha = sha256(file.bytes);
    if (file.lfs === false) {
      sendBody(req, res, file, { ETag: `"${gitSha1(file.bytes)}"`, "X-Repo-Commit": commit });
      return;
    }
    const location = cdn ? `${cdnOrigin}/cdn/${sha}` : `/cdn/${sha}`; // relative when same host, as a proxy may answer
    res.writeHead(302, {
      Location: location,
      "X-Linked-Etag": `"${sha}"`,
      "X-Linked-Size": String(file.bytes.length),
      "X-Repo-Commit": commit,
      ETag: `W/"${gitSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\n`))}"`,
    });
    res.end();
  });

  return {
    endpoint: hubOrigin,
    cdnOrigin,
    requests,
    sha256,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].filter((s): s is http.Server => s !== undefined).map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
