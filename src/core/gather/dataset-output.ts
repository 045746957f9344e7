// The files a gathering writes (store/dataset-files.ts). Each JSONL file is written under a
// temporary name and renamed over the old one only when the whole gathering succeeded; the
// manifest comes last. preferences.jsonl belongs to the editor's feedback: created when
// missing, never rewritten.
import * as fs from "node:fs";
import { datasetPaths, type DatasetFileName } from "../store/dataset-files";
import { writeManifest, type DatasetManifest } from "../store/dataset-manifest";
import { JsonlAppender } from "../store/jsonl-appender";
import { describeReadProblems, emptyReadReport, readJsonlRecords } from "../store/jsonl-reader";
import type { DatasetWriters } from "./record-writer";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "../fs/private-files";

/** Whole lines are collected up to this size and written in one call. */
const WRITE_BUFFER_BYTES = 256 * 1024;
const REBUILT = ["pretrain", "sft", "heldout"] as const;

export class DatasetOutput {
  private readonly paths: Record<DatasetFileName, string>;

  private constructor(
    private readonly datasetDir: string,
    readonly writers: DatasetWriters,
  ) {
    this.paths = datasetPaths(datasetDir);
  }

  static open(datasetDir: string): DatasetOutput {
    mkdirPrivate(datasetDir);
    const open = (name: DatasetFileName) => JsonlAppender.open(temporaryPath(datasetDir, name), { truncate: true, bufferBytes: WRITE_BUFFER_BYTES });
    return new DatasetOutput(datasetDir, { pretrain: open("pretrain"), sft: open("sft"), heldout: open("heldout") });
  }

  /** Puts the new files in place; returns how many preference pairs the feedback file holds. */
  complete(): { records: number; problem: string | null } {
    for (const writer of Object.values(this.writers)) writer.close();
    for (const name of REBUILT) fs.renameSync(temporaryPath(this.datasetDir, name), this.paths[name]);
    fs.closeSync(fs.openSync(this.paths.preferences, "a", PRIVATE_FILE_MODE));
    const report = emptyReadReport(this.paths.preferences);
    let records = 0;
    for (const _ of readJsonlRecords(this.paths.preferences, report)) records++;
    return { records, problem: describeReadProblems(report) };
  }

  /** Drops the new files: the previous dataset stays as it was. */
  discard(): void {
    for (const name of REBUILT) {
      this.writers[name].close();
      fs.rmSync(temporaryPath(this.datasetDir, name), { force: true });
    }
  }

  writeManifest(manifest: DatasetManifest): void {
    writeManifest(this.paths.manifest, manifest);
  }
}

function temporaryPath(datasetDir: string, name: DatasetFileName): string {
  return `${datasetPaths(datasetDir)[name]}.tmp-${process.pid}`;
}
