// One UI check as a node:test test: it runs against the session its file started and, when
// it fails, keeps a screenshot of what the workbench showed (named in the error).
import assert from "node:assert/strict";
import { it } from "node:test";
import type { UiSession } from "./ui-session";

export type UiCheck = (name: string, timeoutMs: number, body: (s: UiSession) => Promise<void>) => void;

export function uiCheck(session: () => UiSession | undefined): UiCheck {
  return (name, timeoutMs, body) => {
    it(name, { timeout: timeoutMs }, async () => {
      const s = session();
      assert.ok(s, "the UI session did not start");
      try {
        await body(s);
      } catch (err) {
        const shot = await s.screenshot(`FAILED-${name.replace(/\W+/g, "-").slice(0, 40)}`).catch(() => "none");
        throw new Error(`${(err as Error).message}\nscreenshot: ${shot}`, { cause: err });
      }
    });
  };
}
