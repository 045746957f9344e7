export { CheckpointError } from "./errors";
export {
  checkpointDirName,
  CONFIG_FILE,
  LATEST_MARKER,
  listCheckpointDirs,
  MANIFEST_FILE,
  MODEL_FILE,
  OPTIMIZER_FILE,
  TOKENIZER_FILE,
  TRAINER_STATE_FILE,
} from "./layout";
export {
  loadOptimizerInto,
  loadWeightsInto,
  openCheckpoint,
  requireFile,
  resolveCheckpointDir,
  resumeTraining,
  type OpenedCheckpoint,
  type OpenOptions,
  type ResumeTargets,
} from "./load";
export { type Manifest } from "./manifest";
export { saveCheckpoint, type CheckpointContents, type CheckpointFile, type HostTensorLike, type LatestMarker, type SaveOptions } from "./save";
