// A copy of a model's trainable weights kept in memory: the RL stage's best-so-far model, taken
// inside a progress callback (which cannot await a save) and written out once at the end.
import * as tf from "@tensorflow/tfjs-core";

export class WeightSnapshot {
  private readonly copies = new Map<string, tf.Tensor>();

  get taken(): boolean {
    return this.copies.size > 0;
  }

  take(params: ReadonlyMap<string, tf.Variable>): void {
    this.dispose();
    for (const [name, v] of params) this.copies.set(name, tf.clone(v));
  }

  restore(params: ReadonlyMap<string, tf.Variable>): void {
    for (const [name, v] of params) {
      const copy = this.copies.get(name);
      if (!copy) throw new Error(`weight snapshot has no ${name}`);
      v.assign(copy);
    }
  }

  dispose(): void {
    for (const t of this.copies.values()) t.dispose();
    this.copies.clear();
  }
}
