// Downloads a catalog model the way the Hugging Face hub serves files: GET .../resolve/{rev}/{file}
// answers 302 with the file's sha256 (X-Linked-Etag) and size (X-Linked-Size), the CDN it points
// to honours Range. Bytes go to `{final}.part`, hashed as they arrive; a cut connection resumes
// from the part (here with a retry, or on the next run); only a file of the published size and
// sha256 is fsynced and renamed into place, with a sidecar recording what it is.
import type { IncomingMessage } from "node:http";
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../core/fs/private-files";
import { catalogPath, formatBytes, type CatalogModel } from "./catalog";
import { CUT_CODES, DownloadError, TransientError, UNREACHABLE_CODES } from "./download-error";
import { etagHash, FileHash } from "./file-hash";
import { discard, httpGet } from "./http-get";
import { ProgressReporter, type DownloadProgress } from "./progress";

export interface DownloadOptions {
  /** RepoTune's models folder (repotuneModelsFolder()). */
  folder: string;
  /** hubEndpoint()'s answer. */
  endpoint: string;
  token?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Further tries after a cut connection, a timeout or a 5xx; default 2. */
  retries?: number;
  /** Free bytes on the disk holding `dir`; default fs.statfsSync. */
  freeBytes?: (dir: string) => number;
  /** Give up a connection after this long without a byte; default 30 s. */
  idleTimeoutMs?: number;
  /** First back-off between tries, doubled each time; default 200 ms. */
  retryDelayMs?: number;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
  /** Bytes already in the .part when this call started (0 for a fresh download). */
  resumedFrom: number;
  /** The file was there already, recorded by its sidecar: nothing was fetched. */
  alreadyPresent: boolean;
}

/** What `{final}.json` records, so the next call (and a user) knows what the file is without re-hashing it. */
export interface DownloadSidecar {
  repo: string;
  file: string;
  revision: string;
  sha256: string;
  bytes: number;
  downloadedAt: string;
  endpoint: string;
  /** X-Repo-Commit: the commit the revision pointed at. */
  commit?: string;
}

/** Room kept free beyond the file itself: the disk must not end up completely full. */
export const FREE_SPACE_MARGIN = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Context {
  model: CatalogModel;
  final: string;
  part: string;
  sidecar: string;
  endpoint: string;
  endpointOrigin: string;
  token?: string;
  signal?: AbortSignal;
  idleTimeoutMs: number;
  freeBytes: (dir: string) => number;
  progress: ProgressReporter;
}

function defaultFreeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Infinity; // a filesystem that cannot say: let the write report ENOSPC if it comes
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readSidecar(path: string): Partial<DownloadSidecar> | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Partial<DownloadSidecar>;
  } catch {
    return undefined;
  }
}

/** The final file is ours and whole: its sidecar names this repo and file and its exact size. */
function alreadyDownloaded(ctx: Context): DownloadResult | undefined {
  if (!existsSync(ctx.final)) return undefined;
  const s = readSidecar(ctx.sidecar);
  if (!s || s.repo !== ctx.model.repo || s.file !== ctx.model.file || typeof s.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(s.sha256)) return undefined;
  const bytes = sizeOf(ctx.final);
  if (s.bytes !== bytes) return undefined;
  return { path: ctx.final, sha256: s.sha256, bytes, resumedFrom: 0, alreadyPresent: true };
}

function resolveUrl(ctx: Context): URL {
  const file = ctx.model.file.split("/").map(encodeURIComponent).join("/");
  return new URL(`${ctx.endpoint}/${ctx.model.repo}/resolve/${encodeURIComponent(ctx.model.revision)}/${file}`);
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

function cancelled(ctx: Context): DownloadError {
  const kept = sizeOf(ctx.part);
  return new DownloadError(
    "cancelled",
    `download of ${ctx.model.file} cancelled${kept ? `; ${formatBytes(kept)} kept in ${ctx.part}: start it again to resume` : ""}`,
  );
}

/** A network failure as what the attempt loop needs: retry it, or stop now with a clear kind. */
function networkError(ctx: Context, err: unknown, midBody: boolean): Error {
  if (ctx.signal?.aborted || (err as Error)?.name === "AbortError") return cancelled(ctx);
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  if (code === "ENOTFOUND") {
    return new DownloadError("offline", `cannot reach ${ctx.endpoint} (ENOTFOUND: the name does not resolve): check the connection, or set repotune.hub.endpoint / HF_ENDPOINT to a mirror`, { cause: err });
  }
  if (UNREACHABLE_CODES.has(code) || CUT_CODES.has(code) || midBody || /aborted|socket hang up/i.test((err as Error)?.message ?? "")) {
    return new TransientError((err as Error).message, code || "ECONNRESET", midBody);
  }
  return new DownloadError("http", `downloading ${ctx.model.repo}/${ctx.model.file} from ${ctx.endpoint} failed: ${(err as Error).message}`, { cause: err });
}

/** The tries are spent: the last transient failure becomes the error the user sees. */
function finalError(ctx: Context, err: TransientError, tries: number): DownloadError {
  const kept = sizeOf(ctx.part);
  const resume = kept ? `; ${formatBytes(kept)} kept in ${ctx.part}, the next run resumes from there` : "";
  if (err.code.startsWith("HTTP")) {
    return new DownloadError("http", `${ctx.endpoint} answered ${err.message} for ${ctx.model.repo}/${ctx.model.file} ${tries} time(s): the hub may be down, try again later${resume}`);
  }
  if (err.midBody) {
    return new DownloadError("offline", `the connection to ${ctx.endpoint} broke ${tries} time(s) while downloading ${ctx.model.file} (${err.code})${resume}: check the connection, or set repotune.hub.endpoint / HF_ENDPOINT to a mirror`);
  }
  return new DownloadError("offline", `cannot reach ${ctx.endpoint} (${err.code}): check the connection, or set repotune.hub.endpoint / HF_ENDPOINT to a mirror${resume}`);
}

function checkSpace(ctx: Context, total: number, have: number): void {
  const dir = dirname(ctx.final);
  const remaining = Math.max(0, total - have);
  const needed = remaining + FREE_SPACE_MARGIN;
  const free = ctx.freeBytes(dir);
  if (free < needed) {
    throw new DownloadError(
      "disk-full",
      `not enough free space for ${ctx.model.file} in ${dir}: it needs ${formatBytes(needed)} (${formatBytes(remaining)} to download plus a 64 MiB margin) and ${formatBytes(free)} is free: free ${formatBytes(needed - free)} there, or set REPOTUNE_MODELS_DIR to a folder on a disk with room`,
    );
  }
}

function statusError(ctx: Context, res: IncomingMessage): Error {
  const { repo, file, revision } = ctx.model;
  const status = res.statusCode ?? 0;
  const gated = header(res, "x-error-code") === "GatedRepo";
  if (status === 403 || (status === 401 && gated)) {
    return new DownloadError("gated", `${repo} is gated: accept the licence on ${ctx.endpoint}/${repo} and set HF_TOKEN to a token of that account`);
  }
  if (status === 401) {
    return new DownloadError(
      "unauthorized",
      ctx.token
        ? `${repo} refused the Hugging Face token in HF_TOKEN: check that it is valid and can read this repo (${ctx.endpoint}/settings/tokens)`
        : `${repo} needs a Hugging Face token: set HF_TOKEN to a read token from ${ctx.endpoint}/settings/tokens`,
    );
  }
  if (status === 404) {
    return new DownloadError("not-found", `${repo}/${file} not found at ${ctx.endpoint} (revision ${revision}): check the name, or whether this mirror has the repo`);
  }
  if (status >= 500 || status === 429) return new TransientError(`HTTP ${status}`, `HTTP${status}`, false);
  return new DownloadError("http", `${ctx.endpoint} answered HTTP ${status} for ${repo}/${file} (revision ${revision}): try again later, or report it if it persists`);
}

async function get(ctx: Context, url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
  try {
    return await httpGet(url, { headers, signal: ctx.signal, idleTimeoutMs: ctx.idleTimeoutMs });
  } catch (err) {
    throw networkError(ctx, err, false);
  }
}

/** Moves the verified part into place and records it. */
function finish(ctx: Context, sha256: string, bytes: number, commit: string | undefined): void {
  renameSync(ctx.part, ctx.final);
  const sidecar: DownloadSidecar = {
    repo: ctx.model.repo, file: ctx.model.file, revision: ctx.model.revision, sha256, bytes,
    downloadedAt: new Date().toISOString(), endpoint: ctx.endpoint, ...(commit ? { commit } : {}),
  };
  const tmp = `${ctx.sidecar}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(sidecar, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, ctx.sidecar);
}

function verify(ctx: Context, digest: { sha256: string; gitSha1?: string }, expected: string | undefined): void {
  if (expected === undefined) return; // the server published no hash: the size check is all there is
  const got = expected.length === 40 ? digest.gitSha1 : digest.sha256;
  if (got !== expected) {
    rmSync(ctx.part, { force: true });
    throw new DownloadError(
      "checksum",
      `${ctx.model.file} was corrupted in transit (its ${expected.length === 40 ? "git sha1" : "sha256"} is ${got}, the hub publishes ${expected}): the partial file was deleted; try again`,
    );
  }
}

/** One try: resolve (following redirects by hand), then stream the body into the part. */
async function attempt(ctx: Context): Promise<{ sha256: string; bytes: number }> {
  const have = sizeOf(ctx.part);
  const base: Record<string, string> = { "User-Agent": "repotune", "Accept-Encoding": "identity" };
  if (have > 0) base.Range = `bytes=${have}-`;
  let url = resolveUrl(ctx);
  let linkedSha: string | undefined;
  let linkedSize: number | undefined;
  let hubEtag: string | undefined;
  let commit: string | undefined;
  let spaceChecked = false;
  let res: IncomingMessage;
  for (let hop = 0; ; hop++) {
    const headers = { ...base };
    // The token is for the hub only: a CDN (another host) must never see it.
    // The token goes to the hub itself, never to the CDN it redirects to, and never in clear
    // text over the network (a loopback mirror aside).
    if (ctx.token && url.origin === ctx.endpointOrigin && (url.protocol === "https:" || isLoopback(url.hostname))) headers.Authorization = `Bearer ${ctx.token}`;
    res = await get(ctx, url, headers);
    linkedSha ??= etagHash(header(res, "x-linked-etag"));
    linkedSize ??= positiveInt(header(res, "x-linked-size"));
    commit ??= header(res, "x-repo-commit");
    if (hop === 0) hubEtag = etagHash(header(res, "etag"));
    const location = header(res, "location");
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) break;
    discard(res);
    if (hop >= MAX_REDIRECTS) throw new DownloadError("http", `${ctx.endpoint} redirected ${ctx.model.repo}/${ctx.model.file} more than ${MAX_REDIRECTS} times: the endpoint or a proxy is misconfigured`);
    if (linkedSize !== undefined && !spaceChecked) {
      checkSpace(ctx, linkedSize, have); // before the CDN is asked for a single byte
      spaceChecked = true;
    }
    url = new URL(location, url);
  }
  const expected = linkedSha ?? hubEtag;
  const status = res.statusCode ?? 0;
  if (status === 416) {
    // The part is as long as the file (or longer): it is complete, or wrong.
    discard(res);
    const total = linkedSize ?? positiveInt(/\/(\d+)\s*$/.exec(header(res, "content-range") ?? "")?.[1]);
    if (total !== undefined && have === total) {
      const hash = new FileHash(expected?.length === 40 ? total : undefined);
      hash.updateFromFile(ctx.part, have);
      const digest = hash.digest();
      verify(ctx, digest, expected);
      finish(ctx, digest.sha256, have, commit);
      return { sha256: digest.sha256, bytes: have };
    }
    rmSync(ctx.part, { force: true });
    throw new TransientError("the server refused to resume (HTTP 416): starting over", "E416", false);
  }
  if (status !== 200 && status !== 206) {
    discard(res);
    throw statusError(ctx, res);
  }
  let start = 0;
  if (status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec((header(res, "content-range") ?? "").trim());
    if (!m || Number(m[1]) !== have) {
      discard(res);
      rmSync(ctx.part, { force: true });
      throw new TransientError(`the server resumed at the wrong place (${header(res, "content-range") ?? "no Content-Range"}): starting over`, "ERANGE", false);
    }
    start = have;
  }
  // 200 (start 0): the whole file again; the part is overwritten from its first byte.
  const rangeTotal = positiveInt(/\/(\d+)$/.exec(header(res, "content-range") ?? "")?.[1]);
  const length = positiveInt(header(res, "content-length"));
  const total = linkedSize ?? rangeTotal ?? (length !== undefined ? length + start : undefined);
  if (total === undefined) {
    discard(res);
    throw new DownloadError("http", `${ctx.endpoint} sent ${ctx.model.file} without saying its size: set repotune.hub.endpoint / HF_ENDPOINT to a server that sends X-Linked-Size or Content-Length`);
  }
  if (!spaceChecked) {
    try {
      checkSpace(ctx, total, start);
    } catch (err) {
      discard(res);
      throw err;
    }
  }
  const hash = new FileHash(expected?.length === 40 ? total : undefined);
  if (start > 0) hash.updateFromFile(ctx.part, start);
  // Downloads are 0600 like everything RepoTune writes (core/fs/private-files.ts).
  const fd = openSync(ctx.part, start > 0 ? "r+" : "w", PRIVATE_FILE_MODE);
  let received = start;
  let tooLong = false;
  try {
    ctx.progress.update(received, total);
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (received + chunk.length > total) {
          discard(res);
          // The part is deleted once its file is closed (finally, below).
          tooLong = true;
          throw new DownloadError("checksum", `${ctx.model.file} arrived longer than the ${total} bytes the hub announced: it was corrupted in transit; the partial file was deleted, try again`);
        }
        let done = 0;
        try {
          while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done, received + done);
        } catch (err) {
          discard(res);
          if ((err as NodeJS.ErrnoException).code === "ENOSPC") {
            throw new DownloadError(
              "disk-full",
              `the disk holding ${dirname(ctx.final)} filled up after ${formatBytes(received + done)} of ${formatBytes(total)} of ${ctx.model.file}: free ${formatBytes(total - received - done + FREE_SPACE_MARGIN)} there and run it again: it resumes from ${ctx.part}`,
            );
          }
          throw err;
        }
        hash.update(chunk);
        received += chunk.length;
        ctx.progress.update(received, total);
      }
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      throw networkError(ctx, err, true);
    }
    if (received < total) {
      throw new TransientError(`the connection closed after ${received} of ${total} bytes`, "ECONNRESET", true);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    if (tooLong) rmSync(ctx.part, { force: true });
  }
  const digest = hash.digest();
  verify(ctx, digest, expected);
  finish(ctx, digest.sha256, received, commit);
  ctx.progress.update(received, total, true);
  return { sha256: digest.sha256, bytes: received };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

/**
 * One download of a file at a time, across processes (the CLI and the editor may both be
 * asked): a lock file beside the part, holding the owner's pid; a dead owner's lock is taken over.
 */
function lockPart(ctx: Context): () => void {
  const lock = `${ctx.part}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx", PRIVATE_FILE_MODE);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(lock, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new DownloadError("http", `${ctx.model.name} is being downloaded already (process ${owner}); wait for it to finish, or stop it and run this again`);
      }
      rmSync(lock, { force: true });
    }
  }
  throw new DownloadError("http", `could not lock ${ctx.part}.lock; remove it if no download is running`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Downloads `model` into `opts.folder` (at catalogPath), resuming a `.part` left by an earlier
 * try, verifying size and sha256, and returning at once when a recorded download is present.
 * Throws DownloadError; its kind says what went wrong and its message what to do.
 */
export async function downloadModel(model: CatalogModel, opts: DownloadOptions): Promise<DownloadResult> {
  const final = catalogPath(model, opts.folder);
  let endpointOrigin: string;
  try {
    endpointOrigin = new URL(opts.endpoint).origin;
  } catch {
    throw new DownloadError("http", `the hub endpoint ${JSON.stringify(opts.endpoint)} is not a URL: set repotune.hub.endpoint / HF_ENDPOINT to e.g. https://huggingface.co`);
  }
  const ctx: Context = {
    model,
    final,
    part: `${final}.part`,
    sidecar: `${final}.json`,
    endpoint: opts.endpoint.replace(/\/+$/, ""),
    endpointOrigin,
    token: opts.token,
    signal: opts.signal,
    idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
    freeBytes: opts.freeBytes ?? defaultFreeBytes,
    progress: new ProgressReporter(opts.onProgress),
  };
  const present = alreadyDownloaded(ctx);
  if (present) return present;
  if (ctx.signal?.aborted) throw cancelled(ctx);
  mkdirPrivate(dirname(final));
  const unlock = lockPart(ctx);
  try {
    const resumedFrom = sizeOf(ctx.part);
    const retries = opts.retries ?? 2;
    const delay = opts.retryDelayMs ?? 200;
    for (let tries = 1; ; tries++) {
      try {
        const r = await attempt(ctx);
        return { path: final, sha256: r.sha256, bytes: r.bytes, resumedFrom, alreadyPresent: false };
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        if (tries > retries) throw finalError(ctx, err, tries);
        try {
          await sleep(delay * 2 ** (tries - 1), ctx.signal);
        } catch {
          throw cancelled(ctx);
        }
      }
    }
  } finally {
    unlock();
  }
}
