// downloadModel against a loopback fake of the hub and its CDN: a verified download, resuming
// after a cut connection, refusing a corrupted body, each HTTP refusal with its message, no
// network, a full disk, cancelling and resuming, a recorded download not fetched again, and the
// token kept from the CDN. A few MB of random bytes; every server is on 127.0.0.1.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { catalogPath, downloadModel, DownloadError, type CatalogModel, type DownloadProgress } from "../../../src/hub";
import { startFakeHub, type FakeHub, type FakeHubOptions } from "../../helpers/fake-hub";

const root = mkdtempSync(join(tmpdir(), "repotune-download-"));
after(() => rmSync(root, { recursive: true, force: true }));

const BYTES = randomBytes(3 * 1024 * 1024 + 123);
const MODEL: CatalogModel = {
  name: "test-model", title: "Test", repo: "org/Test-GGUF", file: "test-q8_0.gguf", revision: "main",
  approxBytes: BYTES.length, parameters: 1, contextLength: 1024,
};
const FAST = { retryDelayMs: 10, idleTimeoutMs: 5_000 };

let n = 0;
function freshFolder(): string {
  return join(root, `dl-${n++}`);
}

async function withHub<T>(opts: Partial<FakeHubOptions>, fn: (hub: FakeHub) => Promise<T>): Promise<T> {
  const hub = await startFakeHub({ files: [{ repo: MODEL.repo, file: MODEL.file, bytes: BYTES }], ...opts });
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

async function rejected(p: Promise<unknown>): Promise<DownloadError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DownloadError, `expected a DownloadError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the download to fail");
}

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

describe("downloadModel", { timeout: 60_000 }, () => {
  it("downloads, verifies the sha256, reports progress up to the total and writes a sidecar", async () => {
    await withHub({ chunkDelayMs: 1 }, async (hub) => {
      const folder = freshFolder();
      const seen: DownloadProgress[] = [];
      const r = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, onProgress: (p) => seen.push(p), ...FAST });
      assert.equal(r.path, catalogPath(MODEL, folder));
      assert.equal(r.alreadyPresent, false);
      assert.equal(r.resumedFrom, 0);
      assert.equal(r.bytes, BYTES.length);
      assert.equal(r.sha256, sha(BYTES));
      assert.ok(readFileSync(r.path).equals(BYTES));
      assert.equal(existsSync(`${r.path}.part`), false);
      const sidecar = JSON.parse(readFileSync(`${r.path}.json`, "utf8"));
      assert.deepEqual(
        { repo: sidecar.repo, file: sidecar.file, revision: sidecar.revision, sha256: sidecar.sha256, bytes: sidecar.bytes, endpoint: sidecar.endpoint },
        { repo: MODEL.repo, file: MODEL.file, revision: "main", sha256: sha(BYTES), bytes: BYTES.length, endpoint: hub.endpoint },
      );
      assert.ok(!Number.isNaN(Date.parse(sidecar.downloadedAt)));
      assert.ok(seen.length >= 2, `${seen.length} progress reports`);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.receivedBytes >= seen[i - 1]!.receivedBytes, "received bytes never go back");
      assert.ok(seen.every((p) => p.totalBytes === BYTES.length));
      assert.equal(seen.at(-1)!.receivedBytes, BYTES.length);
      assert.equal(seen.at(-1)!.secondsLeft, 0);
      const resolve = hub.requests.find((q) => q.server === "hub")!;
      assert.equal(resolve.url, `/${MODEL.repo}/resolve/main/${MODEL.file}`);
      assert.equal(resolve.headers.range, undefined);
    });
  });

  it("resumes a cut connection with a Range request and ends with the right bytes", async () => {
    const cut = 1024 * 1024;
    await withHub({ cutAfterBytes: cut, cutRequests: 1 }, async (hub) => {
      const r = await downloadModel(MODEL, { folder: freshFolder(), endpoint: hub.endpoint, ...FAST });
      assert.ok(readFileSync(r.path).equals(BYTES));
      assert.equal(r.sha256, sha(BYTES));
      const cdn = hub.requests.filter((q) => q.server === "cdn");
      assert.equal(cdn.length, 2, "one cut request, one resumed request");
      assert.equal(cdn[0]!.headers.range, undefined);
      const m = /^bytes=(\d+)-$/.exec(String(cdn[1]!.headers.range));
      assert.ok(m, `second request's Range: ${cdn[1]!.headers.range}`);
      assert.ok(Number(m[1]) > 0 && Number(m[1]) <= cut, `resumed from ${m[1]}`);
    });
  });

  it("gives up after `retries` cuts with kind offline and keeps the part for the next run", async () => {
    await withHub({ cutAfterBytes: 256 * 1024, cutRequests: 10 }, async (hub) => {
      const folder = freshFolder();
      const err = await rejected(downloadModel(MODEL, { folder, endpoint: hub.endpoint, retries: 1, ...FAST }));
      assert.equal(err.kind, "offline");
      assert.match(err.message, /broke 2 time/);
      assert.equal(hub.requests.filter((q) => q.server === "cdn").length, 2);
      const part = `${catalogPath(MODEL, folder)}.part`;
      assert.ok(statSync(part).size > 0);
      assert.match(err.message, /resumes/);
    });
  });

  it("refuses a corrupted body with kind checksum, leaving neither the file nor the part", async () => {
    await withHub({ corrupt: true }, async (hub) => {
      const folder = freshFolder();
      const err = await rejected(downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST }));
      assert.equal(err.kind, "checksum");
      assert.match(err.message, /corrupted in transit/);
      assert.match(err.message, /try again/);
      const final = catalogPath(MODEL, folder);
      assert.equal(existsSync(final), false);
      assert.equal(existsSync(`${final}.part`), false);
      assert.equal(existsSync(`${final}.json`), false);
    });
  });

  it("401 without a token, 403 for a gated repo, 404 for an unknown file: each says what to do", async () => {
    const files = [
      { repo: "org/Private", file: MODEL.file, bytes: BYTES, private: true },
      { repo: "org/Gated", file: MODEL.file, bytes: BYTES, gated: true },
    ];
    const hub = await startFakeHub({ files, token: "secret", gatedToken: "accepted" });
    try {
      const base = { folder: freshFolder(), endpoint: hub.endpoint, ...FAST };
      const e401 = await rejected(downloadModel({ ...MODEL, repo: "org/Private" }, base));
      assert.equal(e401.kind, "unauthorized");
      assert.match(e401.message, /needs a Hugging Face token: set HF_TOKEN/);
      const e403 = await rejected(downloadModel({ ...MODEL, repo: "org/Gated" }, { ...base, token: "not-accepted" }));
      assert.equal(e403.kind, "gated");
      assert.ok(e403.message.includes(`accept the licence on ${hub.endpoint}/org/Gated`), e403.message);
      assert.match(e403.message, /HF_TOKEN/);
      assert.ok(!e403.message.includes("not-accepted"), "the token never appears in a message");
      const e404 = await rejected(downloadModel({ ...MODEL, file: "missing.gguf" }, base));
      assert.equal(e404.kind, "not-found");
      assert.ok(e404.message.includes(`${MODEL.repo}/missing.gguf not found at ${hub.endpoint} (revision main)`), e404.message);
      assert.equal(hub.requests.filter((q) => q.server === "cdn").length, 0);
      const ok = await downloadModel({ ...MODEL, repo: "org/Gated" }, { ...base, token: "accepted" });
      assert.ok(readFileSync(ok.path).equals(BYTES));
    } finally {
      await hub.close();
    }
  });

  it("a closed port is kind offline, naming the endpoint and HF_ENDPOINT", async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const endpoint = `http://127.0.0.1:${port}`;
    const err = await rejected(downloadModel(MODEL, { folder: freshFolder(), endpoint, retries: 1, ...FAST }));
    assert.equal(err.kind, "offline");
    assert.ok(err.message.includes(`cannot reach ${endpoint}`), err.message);
    assert.match(err.message, /HF_ENDPOINT/);
  });

  it("a stalled body times out after the idle limit as kind offline", async () => {
    await withHub({ stallAfterBytes: 1000 }, async (hub) => {
      const t0 = Date.now();
      const err = await rejected(downloadModel(MODEL, { folder: freshFolder(), endpoint: hub.endpoint, retries: 0, idleTimeoutMs: 300 }));
      assert.equal(err.kind, "offline");
      assert.ok(Date.now() - t0 < 5_000);
    });
  });

  it("not enough free space is kind disk-full before any byte is requested", async () => {
    await withHub({}, async (hub) => {
      const folder = freshFolder();
      const asked: string[] = [];
      const err = await rejected(downloadModel(MODEL, { folder, endpoint: hub.endpoint, freeBytes: (d) => (asked.push(d), 1_000_000), ...FAST }));
      assert.equal(err.kind, "disk-full");
      assert.match(err.message, /not enough free space/);
      assert.match(err.message, /free \d+ MB there/);
      assert.ok(err.message.includes(join(folder, "org--Test-GGUF")), err.message);
      assert.equal(asked.length, 1);
      assert.equal(hub.requests.filter((q) => q.server === "cdn").length, 0, "the CDN was never asked");
      // The margin counts: exactly the file's size free is still too little.
      const tight = await rejected(downloadModel(MODEL, { folder, endpoint: hub.endpoint, freeBytes: () => BYTES.length, ...FAST }));
      assert.equal(tight.kind, "disk-full");
    });
  });

  it("cancelling keeps the part, and the next call resumes from it", async () => {
    await withHub({ chunkDelayMs: 15 }, async (hub) => {
      const folder = freshFolder();
      const controller = new AbortController();
      const err = await rejected(
        downloadModel(MODEL, { folder, endpoint: hub.endpoint, signal: controller.signal, ...FAST, onProgress: (p) => { if (p.receivedBytes > 0) controller.abort(); } }),
      );
      assert.equal(err.kind, "cancelled");
      const part = `${catalogPath(MODEL, folder)}.part`;
      const kept = statSync(part).size;
      assert.ok(kept > 0 && kept < BYTES.length, `kept ${kept}`);
      assert.equal(existsSync(catalogPath(MODEL, folder)), false);
      const before = hub.requests.length;
      const r = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST });
      assert.equal(r.resumedFrom, kept);
      assert.ok(readFileSync(r.path).equals(BYTES));
      const resumed = hub.requests.slice(before);
      assert.ok(resumed.every((q) => q.headers.range === `bytes=${kept}-`), "every request of the second call asks for the rest only");
    });
  });

  it("one download of a file at a time: refused while a live process holds the lock; a dead one's lock is taken over", async () => {
    await withHub({}, async (hub) => {
      const folder = freshFolder();
      const lock = `${catalogPath(MODEL, folder)}.part.lock`;
      mkdirSync(dirname(lock), { recursive: true });
      writeFileSync(lock, String(process.ppid)); // the test runner: alive
      const refused = await rejected(downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST }));
      assert.match(refused.message, new RegExp(`being downloaded already \\(process ${process.ppid}\\)`));
      assert.equal(hub.requests.length, 0, "nothing was asked of the hub");
      writeFileSync(lock, "999999999"); // a process that is gone
      const r = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST });
      assert.ok(readFileSync(r.path).equals(BYTES));
      assert.equal(existsSync(lock), false, "the lock is gone after the download");
    });
  });

  it("a recorded download is not fetched again; a file without its sidecar is", async () => {
    await withHub({}, async (hub) => {
      const folder = freshFolder();
      const first = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST });
      const count = hub.requests.length;
      const again = await downloadModel(MODEL, { folder, endpoint: "http://127.0.0.1:9", ...FAST });
      assert.equal(again.alreadyPresent, true);
      assert.equal(again.sha256, first.sha256);
      assert.equal(again.bytes, BYTES.length);
      assert.equal(hub.requests.length, count, "no request at all");
      rmSync(`${first.path}.json`);
      const refetched = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST });
      assert.equal(refetched.alreadyPresent, false);
      assert.ok(hub.requests.length > count);
    });
  });

  it("sends the token to the hub host and never to the CDN host", async () => {
    const files = [{ repo: MODEL.repo, file: MODEL.file, bytes: BYTES, private: true }];
    const hub = await startFakeHub({ files, token: "hf_secret", separateCdn: true });
    try {
      const r = await downloadModel(MODEL, { folder: freshFolder(), endpoint: hub.endpoint, token: "hf_secret", ...FAST });
      assert.ok(readFileSync(r.path).equals(BYTES));
      const hubReqs = hub.requests.filter((q) => q.server === "hub");
      const cdnReqs = hub.requests.filter((q) => q.server === "cdn");
      assert.equal(hubReqs.length, 1);
      assert.equal(cdnReqs.length, 1);
      assert.notEqual(hub.cdnOrigin, hub.endpoint);
      assert.equal(hubReqs[0]!.headers.authorization, "Bearer hf_secret");
      assert.equal(cdnReqs[0]!.headers.authorization, undefined);
    } finally {
      await hub.close();
    }
  });

  it("a complete .part (the server answers 416 to its Range) is verified and kept; a wrong one is replaced", async () => {
    await withHub({}, async (hub) => {
      const folder = freshFolder();
      const final = catalogPath(MODEL, folder);
      mkdirSync(join(final, ".."), { recursive: true });
      writeFileSync(`${final}.part`, BYTES);
      const r = await downloadModel(MODEL, { folder, endpoint: hub.endpoint, ...FAST });
      assert.equal(r.resumedFrom, BYTES.length);
      assert.equal(r.sha256, sha(BYTES));
      const cdn = hub.requests.filter((q) => q.server === "cdn");
      assert.equal(cdn.length, 1);
      assert.equal(cdn[0]!.headers.range, `bytes=${BYTES.length}-`);
      // A part of the right length but the wrong bytes fails its checksum and is deleted.
      const other = freshFolder();
      const otherFinal = catalogPath(MODEL, other);
      mkdirSync(join(otherFinal, ".."), { recursive: true });
      writeFileSync(`${otherFinal}.part`, randomBytes(BYTES.length));
      const err = await rejected(downloadModel(MODEL, { folder: other, endpoint: hub.endpoint, ...FAST }));
      assert.equal(err.kind, "checksum");
      assert.equal(existsSync(`${otherFinal}.part`), false);
    });
  });

  it("a small non-LFS file (200, git-sha1 ETag) is verified against that ETag", async () => {
    const small = randomBytes(10_000);
    const hub = await startFakeHub({ files: [{ repo: MODEL.repo, file: "config.json", bytes: small, lfs: false }] });
    try {
      const r = await downloadModel({ ...MODEL, file: "config.json" }, { folder: freshFolder(), endpoint: hub.endpoint, ...FAST });
      assert.ok(readFileSync(r.path).equals(small));
      assert.equal(r.sha256, sha(small));
    } finally {
      await hub.close();
    }
    const bad = await startFakeHub({ files: [{ repo: MODEL.repo, file: "config.json", bytes: small, lfs: false }], corrupt: true });
    try {
      const err = await rejected(downloadModel({ ...MODEL, file: "config.json" }, { folder: freshFolder(), endpoint: bad.endpoint, ...FAST }));
      assert.equal(err.kind, "checksum");
    } finally {
      await bad.close();
    }
  });
});
