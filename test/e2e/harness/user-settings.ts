// The VS Code profile's user settings (user-data/User/settings.json): written before
// code-server starts, and changed while it runs (the workbench watches the file and applies
// a change within a second or two, as when a user edits settings.json).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Settings = Record<string, unknown>;

export function userSettingsFile(userDataDir: string): string {
  return join(userDataDir, "User", "settings.json");
}

export function readUserSettings(userDataDir: string): Settings {
  try {
    return JSON.parse(readFileSync(userSettingsFile(userDataDir), "utf8")) as Settings;
  } catch {
    return {};
  }
}

/** Merges `changes` into the user settings; a value of `undefined` removes the key. */
export function updateUserSettings(userDataDir: string, changes: Settings): void {
  const file = userSettingsFile(userDataDir);
  const next = { ...readUserSettings(userDataDir), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
}
