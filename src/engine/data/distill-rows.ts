// The stored teacher distributions (core/formats/teacher-targets) as the student's
// micro-batches: each row's tokens with the teacher's top-k spread to a dense [B*T, V] target.
import type { TeacherTargetsReader } from "../../core/formats/teacher-targets";
import { IGNORE_INDEX, makeLmBatch, type LmBatch } from "../model";
import { denseTeacher, disposeTeacher, type DenseTeacher } from "../objectives/distill";
import type { DataSource, MicroBatch } from "../train";

export interface DistillMicroBatch extends MicroBatch {
  lm: LmBatch;
  teacher: DenseTeacher;
  mask: Float32Array;
}

/** Micro-batches of stored rows with their teacher distributions spread to [B*T, V]. */
export class DistillRows implements DataSource<DistillMicroBatch> {
  constructor(
    readonly reader: TeacherTargetsReader,
    readonly seqLen: number,
    readonly padId: number,
    readonly temperature: number,
  ) {}

  get size(): number {
    return this.reader.count;
  }

  batch(indices: readonly number[]): DistillMicroBatch {
    const seqs = indices.map((i) => this.reader.read(i));
    const { k, vocabSize } = this.reader.meta;
    const t = this.seqLen;
    const lm = makeLmBatch(
      seqs.map((s) => s.tokens),
      t,
      this.padId,
    );
    const positions = seqs.length * t;
    const ids = new Int32Array(positions * k).fill(-1);
    const logProbs = new Float32Array(positions * k).fill(-Infinity);
    const mask = new Float32Array(positions);
    seqs.forEach((s, r) => {
      for (let p = 0; p < t; p++) {
        const at = r * t + p;
        if (p + 1 < s.tokens.length && s.mask[p]) {
          mask[at] = 1;
          ids.set(s.ids.subarray(p * k, (p + 1) * k), at * k);
          logProbs.set(s.logProbs.subarray(p * k, (p + 1) * k), at * k);
        } else lm.targets[at] = IGNORE_INDEX;
      }
    });
    const teacher = denseTeacher({ positions, k, ids, logProbs }, vocabSize, this.temperature);
    return { lm, teacher, mask, tokens: positions, dispose: () => disposeTeacher(teacher) };
  }
}
