// Everything RepoTune writes is about the user's code: datasets built from it, feedback logs of
// what they typed, models trained on it, run logs and locks beside them. So it is readable by
// the user alone, files 0600 and folders 0700, whatever the process umask: a mode given to
// open() or mkdir() can only be narrowed by the umask, never widened, so these hold under the
// common 022 as under 077. (Windows ignores POSIX modes; a user's profile folder is private there.)
import * as fs from "node:fs";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** mkdir -p where every folder it creates is 0700 (existing ones are left as they are). */
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * A data folder's root (REPO/.repotune, the extension's folder for a workspace): created 0700,
 * and made 0700 if an earlier version created it group- or world-readable, which closes
 * everything below it to other users at once, older files included.
 */
export function ensurePrivateRoot(dir: string): void {
  mkdirPrivate(dir);
  if (process.platform === "win32") return;
  const mode = fs.statSync(dir).mode & 0o777;
  try {
    if (mode & 0o077) fs.chmodSync(dir, mode & 0o700);
  } catch (err) {
    // Someone else's folder (a shared dataFolder set up by an admin): use it as it is.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
  }
}
