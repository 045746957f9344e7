// Command identifiers, the same strings as `contributes.commands` in package.json.
export const COMMANDS = {
  fineTune: "repotune.fineTune",
  openDashboard: "repotune.openDashboard",
  cancelTraining: "repotune.cancelTraining",
  chooseBaseModel: "repotune.chooseBaseModel",
  exportDataset: "repotune.exportDataset",
  exportModel: "repotune.exportModel",
  importFeedback: "repotune.importFeedback",
  toggleCompletions: "repotune.toggleCompletions",
  showLog: "repotune.showLog",
} as const;

/** Commands the dashboard and completions run, not listed in the palette. */
export const INTERNAL_COMMANDS = {
  useRunModel: "repotune.useRunModel",
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];
