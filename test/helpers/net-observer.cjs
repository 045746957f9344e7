// Preloaded into a process under test (`node --require test/helpers/net-observer.cjs`, by
// execArgv or NODE_OPTIONS): records every attempt to reach the network, before it is made, as
// one JSON line in the file named by REPOTUNE_NET_LOG, so a test can assert that none was made
// (test/integration/privacy/no-outbound.test.ts). It only watches; every call goes through.
//
// Watched: net.Socket#connect (which every TCP/IPC client of Node ends in: http, https, tls,
// fetch/undici, http2), tls.connect, http(s).request/get, http2.connect, fetch, WebSocket,
// dgram sends, dns lookups and resolves, and the child processes a process starts (a git or
// a native helper could reach out by itself; Node children inherit this preload). Native code
// in the process (llama.cpp) is beyond a preload: the strace layer of the test covers it.
"use strict";
const fs = require("node:fs");

const LOG = process.env.REPOTUNE_NET_LOG;

function record(kind, target) {
  const stack = (new Error().stack ?? "").split("\n").slice(3, 9).map((l) => l.trim());
  fs.appendFileSync(LOG, `${JSON.stringify({ pid: process.pid, kind, target, stack })}\n`);
}

/** Replaces obj[name] by a function that records, then calls the original. */
function watch(obj, name, kind, describe) {
  const original = obj?.[name];
  if (typeof original !== "function") return;
  const wrapped = function (...args) {
    try {
      record(kind, describe(args));
    } catch {
      record(kind, "(arguments not understood)");
    }
    return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
  obj[name] = wrapped;
}

const hostPort = (o) => (o.path !== undefined && o.path !== null ? `ipc:${o.path}` : `tcp:${o.host ?? o.hostname ?? "localhost"}:${o.port ?? ""}`);

/** The arguments of net.connect / socket.connect, in any of their forms. */
function socketTarget(args) {
  let a = args;
  if (Array.isArray(a[0])) a = a[0]; // net.connect() passes its normalised [options, cb]
  const first = a[0];
  if (first && typeof first === "object") return hostPort(first);
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) return hostPort({ port: first, host: typeof a[1] === "string" ? a[1] : undefined });
  if (typeof first === "string") return `ipc:${first}`;
  return String(first);
}

function requestTarget(args, scheme) {
  const first = args[0];
  if (typeof first === "string" || first instanceof URL) return String(first);
  const o = first ?? {};
  return `${o.protocol ?? scheme}//${o.hostname ?? o.host ?? "localhost"}${o.port ? `:${o.port}` : ""}${o.path ?? ""}`;
}

if (LOG) {
  record("loaded", process.argv[1] ?? process.argv0);
  const net = require("node:net");
  const tls = require("node:tls");
  const dns = require("node:dns");
  const dgram = require("node:dgram");
  const http = require("node:http");
  const https = require("node:https");
  const http2 = require("node:http2");
  const childProcess = require("node:child_process");

  watch(net.Socket.prototype, "connect", "socket", socketTarget);
  watch(tls, "connect", "tls", socketTarget);
  for (const [mod, scheme] of [[http, "http:"], [https, "https:"]]) {
    watch(mod, "request", "http", (a) => requestTarget(a, scheme));
    watch(mod, "get", "http", (a) => requestTarget(a, scheme));
  }
  watch(http2, "connect", "http2", (a) => String(a[0]));
  watch(globalThis, "fetch", "fetch", (a) => String(a[0]?.url ?? a[0]));
  watch(globalThis, "WebSocket", "websocket", (a) => String(a[0]));
  watch(dgram.Socket.prototype, "send", "udp", (a) => `udp:${a.find((x, i) => i > 0 && typeof x === "string") ?? "(connected)"}:${a.find((x, i) => i > 0 && typeof x === "number") ?? ""}`);
  watch(dgram.Socket.prototype, "connect", "udp", (a) => `udp:${a[1] ?? "localhost"}:${a[0]}`);
  for (const name of ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "resolveCname", "resolveMx", "resolveNs", "resolveTxt", "resolveSrv", "reverse"]) {
    watch(dns, name, "dns", (a) => `dns:${a[0]}`);
    watch(dns.promises, name, "dns", (a) => `dns:${a[0]}`);
  }
  watch(dns.Resolver.prototype, "resolve", "dns", (a) => `dns:${a[0]}`);
  // Every exec, spawn, execFile and fork ends in ChildProcess#spawn; the *Sync ones do not.
  watch(childProcess.ChildProcess.prototype, "spawn", "spawn", (a) => [a[0]?.file, ...(a[0]?.args ?? []).slice(1)].join(" "));
  for (const name of ["spawnSync", "execFileSync"]) watch(childProcess, name, "spawn", (a) => [a[0], ...(Array.isArray(a[1]) ? a[1] : [])].join(" "));
  watch(childProcess, "execSync", "spawn", (a) => String(a[0]));
}
