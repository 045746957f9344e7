// A minimal host for the forked completion server in tests: send commands, await replies.
import { fork, type ChildProcess } from "node:child_process";
import { parseServerReply, PROTOCOL_VERSION, type ServerReply } from "../../../../src/core/protocol";

export class ServerClient {
  readonly child: ChildProcess;
  readonly replies: ServerReply[] = [];
  stderr = "";
  private waiters: { match: (r: ServerReply) => boolean; resolve: (r: ServerReply) => void }[] = [];

  constructor(bundle: string, env: Record<string, string> = {}) {
    this.child = fork(bundle, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], env: { ...process.env, ...env } });
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.child.on("message", (raw) => {
      const reply = parseServerReply(raw); // the server's replies must validate too
      this.replies.push(reply);
      this.waiters = this.waiters.filter((w) => (w.match(reply) ? (w.resolve(reply), false) : true));
    });
  }

  send(body: Record<string, unknown>): void {
    this.child.send({ v: PROTOCOL_VERSION, ...body });
  }

  next(match: (r: ServerReply) => boolean, timeoutMs = 20_000): Promise<ServerReply> {
    const seen = this.replies.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching reply within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  forId(id: string): Promise<ServerReply> {
    return this.next((r) => "id" in r && r.id === id);
  }

  complete(id: string, prefix: string, suffix: string, extra: { mode?: "line" | "block"; maxTokens?: number } = {}): Promise<ServerReply> {
    this.send({ type: "complete", id, prefix, suffix, languageId: "javascript", maxTokens: extra.maxTokens ?? 32, mode: extra.mode ?? "line" });
    return this.forId(id);
  }

  async close(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    this.child.disconnect();
    return exited;
  }
}
