// Where models already live on this machine, by the tool that put them there. Each tool has its
// own folder and its own environment variable to move it; we read the same variables the tools
// read so a user who moved their Hugging Face or Ollama cache finds it here without a setting.
import { homedir } from "node:os";
import { join, win32, posix } from "node:path";

export type ModelSourceKind = "huggingface" | "llama.cpp" | "lm-studio" | "ollama" | "node-llama-cpp" | "repotune" | "path";

export interface ModelLocation {
  kind: ModelSourceKind;
  /** A folder to scan, or (kind "path") a file or folder the user named. */
  root: string;
}

export interface LocationOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Extra files or folders the user named (a setting, a --base-dir flag). */
  userPaths?: string[];
}

/** An environment variable's value, or undefined when unset or blank (a blank one is a mistake, not "here"). */
function envPath(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v !== undefined && v.trim() !== "" ? v : undefined;
}

/** Joins with the separator of the platform asked about, so a win32 answer can be tested on Linux. */
function joiner(platform: NodeJS.Platform): (...parts: string[]) => string {
  return platform === "win32" ? win32.join : platform === process.platform ? join : posix.join;
}

/** %LOCALAPPDATA%, or where Windows puts it by default when the variable is missing. */
function localAppData(env: NodeJS.ProcessEnv, home: string): string {
  return envPath(env, "LOCALAPPDATA") ?? win32.join(home, "AppData", "Local");
}

/** The per-user cache folder of an app called `app` (XDG on Linux, Caches on macOS, LocalAppData on Windows). */
function userCache(env: NodeJS.ProcessEnv, home: string, platform: NodeJS.Platform, app: string, xdg: boolean): string {
  const j = joiner(platform);
  if (platform === "win32") return j(localAppData(env, home), app);
  if (platform === "darwin") return j(home, "Library", "Caches", app);
  return j((xdg && envPath(env, "XDG_CACHE_HOME")) || j(home, ".cache"), app);
}

/** The Hugging Face hub cache, as huggingface_hub resolves it (constants.py: HF_HUB_CACHE, HF_HOME). */
export function huggingFaceCache(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), platform: NodeJS.Platform = process.platform): string {
  const j = joiner(platform);
  const hub = envPath(env, "HF_HUB_CACHE");
  if (hub) return hub;
  const hfHome = envPath(env, "HF_HOME");
  if (hfHome) return j(hfHome, "hub");
  return j(home, ".cache", "huggingface", "hub");
}

/**
 * RepoTune's own download folder: REPOTUNE_MODELS_DIR, else the platform's user cache
 * (models are re-downloadable, so a cache is where they belong, not the roaming profile).
 */
export function repotuneModelsFolder(env: NodeJS.ProcessEnv = process.env, home: string = homedir(), platform: NodeJS.Platform = process.platform): string {
  const own = envPath(env, "REPOTUNE_MODELS_DIR");
  if (own) return own;
  return joiner(platform)(userCache(env, home, platform, "repotune", true), "models");
}

/** Every place to look, in the order a user would expect them listed. Missing folders are kept: scanning skips them. */
export function modelLocations(opts: LocationOptions = {}): ModelLocation[] {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const platform = opts.platform ?? process.platform;
  const j = joiner(platform);
  // llama.cpp's own cache (common/common.cpp fs_get_cache_directory): LLAMA_CACHE, else the
  // platform cache; it ignores XDG_CACHE_HOME only on macOS and Windows.
  const llamaCache = envPath(env, "LLAMA_CACHE") ?? userCache(env, home, platform, "llama.cpp", true);
  const locations: ModelLocation[] = [
    { kind: "repotune", root: repotuneModelsFolder(env, home, platform) },
    { kind: "huggingface", root: huggingFaceCache(env, home, platform) },
    { kind: "llama.cpp", root: llamaCache },
    { kind: "lm-studio", root: j(home, ".lmstudio", "models") },
    { kind: "lm-studio", root: j(home, ".cache", "lm-studio", "models") },
    { kind: "ollama", root: envPath(env, "OLLAMA_MODELS") ?? j(home, ".ollama", "models") },
    { kind: "node-llama-cpp", root: j(home, ".node-llama-cpp", "models") },
  ];
  for (const p of opts.userPaths ?? []) if (p.trim() !== "") locations.push({ kind: "path", root: p });
  return locations;
}
