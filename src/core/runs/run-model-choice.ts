// Which of a run's models a path and a role mean, with what describes it: the run's report,
// the dataset's manifest, the base it started from and the repository's name. `--run` may be
// a data folder (its latest run), a run folder (OUT/runs/ID) or a checkpoint (no run known).
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { DATASET_FOLDER } from "../store/dataset-files";
import { findCheckpoint } from "./find-checkpoint";
import { runArtifacts } from "./run-artifacts";
import { locateRun } from "./run-layout";
import { readRunRecord } from "./run-record";

export const MODEL_ROLES = ["teacher", "student", "dpo", "sft", "pretrain"] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** The artifact of each role, and the report row it is evaluated as. */
const ROLE_ARTIFACT: Record<ModelRole, string> = { teacher: "teacher", student: "student", dpo: "dpoModel", sft: "sftModel", pretrain: "pretrainModel" };

export interface RunModelChoice {
  checkpointDir: string;
  role: ModelRole | "checkpoint";
  row: string | null;
  runDir: string | null;
  reportPath: string | null;
  manifestPath: string | null;
  basePath: string | null;
  repoName: string | null;
}

/** The run a path means, or null for a checkpoint (or anything else findCheckpoint judges). */
function runDirOf(path: string): { out: string; runId: string } | null {
  try {
    return locateRun(path);
  } catch {
    return null;
  }
}

export function chooseRunModel(path: string, role: ModelRole = "teacher"): RunModelChoice {
  const run = runDirOf(path);
  if (!run) return { checkpointDir: findCheckpoint(path), role: "checkpoint", row: null, runDir: null, reportPath: null, manifestPath: null, basePath: null, repoName: null };
  const runDir = join(run.out, "runs", run.runId);
  const artifacts = runArtifacts(run.out, run.runId);
  if (!artifacts) throw new Error(`${runDir}: this run has not finished (no "done" in its events.jsonl); export a finished run, or a checkpoint folder with --run`);
  const dir = artifacts[ROLE_ARTIFACT[role]];
  if (!dir || !existsSync(dir)) {
    const have = MODEL_ROLES.filter((r) => artifacts[ROLE_ARTIFACT[r]] && existsSync(artifacts[ROLE_ARTIFACT[r]]!));
    throw new Error(`${runDir}: no ${role} model${have.length ? `; this run has: ${have.join(", ")}` : " on disk (a later run may have replaced its stage folders)"}`);
  }
  const row = role === "teacher" ? (artifacts.dpoModel === dir ? "dpo" : "sft") : role;
  const report = join(runDir, "report.json");
  const manifest = artifacts.manifest ?? join(run.out, DATASET_FOLDER, "manifest.json");
  const repo = readRunRecord(run.out, run.runId)?.job.repo;
  return {
    checkpointDir: findCheckpoint(dir),
    role,
    row,
    runDir,
    reportPath: existsSync(report) ? report : null,
    manifestPath: existsSync(manifest) ? manifest : null,
    basePath: artifacts.base ?? null,
    repoName: repo ? basename(repo) : null,
  };
}
