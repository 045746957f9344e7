// The positive control of no-outbound.test.ts, run in a child process under the same observers
// as the pipeline: what RepoTune does when asked to download a base (here from a loopback hub),
// then a connection and a lookup of an address that is not loopback. The observers must see all
// of it, and the test must tell the first from the others.
//   env: HUB_ENDPOINT (the fake hub), OUTSIDE_HOST + OUTSIDE_PORT (a listener on a non-loopback
//   address of this machine, so nothing leaves it), DOWNLOAD_DIR.
import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import { downloadModel, type CatalogModel } from "../../../../src/hub";

export const CONTROL_MODEL: CatalogModel = { name: "control", title: "Control", repo: "org/Control-GGUF", file: "control.gguf", revision: "main", approxBytes: 64, parameters: 1, contextLength: 64 };

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
  await downloadModel(CONTROL_MODEL, { folder: env("DOWNLOAD_DIR"), endpoint: env("HUB_ENDPOINT"), retryDelayMs: 10, idleTimeoutMs: 5000 });
  await lookup(env("OUTSIDE_HOST"));
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: env("OUTSIDE_HOST"), port: Number(env("OUTSIDE_PORT")) }, () => (socket.end(), resolve()));
    socket.on("error", reject);
  });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
