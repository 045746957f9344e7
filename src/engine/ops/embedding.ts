// Token embedding lookup that trains on every backend. tf.gather's gradient needs the
// UnsortedSegmentSum kernel, which the wasm backend lacks. The forward pass is a gather
// everywhere; the backward pass is a scatter-add: the backend's UnsortedSegmentSum where it
// has one, else a plain JavaScript loop over the rows (wasm and cpu keep tensors in host
// memory, so reading dy back is a copy, and N*d additions cost far less than the one-hot
// [N, V] x [N, d] product the usual workaround spends).
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom-op";

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function scatterAddRows(ids: Int32Array, dy: Float32Array, vocab: number, dim: number): Float32Array {
  const out = new Float32Array(vocab * dim);
  for (let n = 0; n < ids.length; n++) {
    const src = n * dim;
    const dst = ids[n]! * dim;
    for (let j = 0; j < dim; j++) out[dst + j]! += dy[src + j]!;
  }
  return out;
}

/** Rows of table [V, d] for ids (int32 [N]) -> [N, d]. */
export function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const [vocab, dim] = table.shape;
  const op = customOp(([t], save) => {
    const value = tf.gather(t!, ids);
    // Saved (a kept copy) because the caller may dispose ids before the backward pass.
    save([ids]);
    return {
      value,
      gradFunc: (g, saved) => {
        const idsSaved = saved[0] as tf.Tensor1D;
        if (hasKernel("UnsortedSegmentSum")) return [tf.unsortedSegmentSum(g, idsSaved, vocab)];
        // Ids out of range would write outside the table; the model checks them first.
        return [tf.tensor2d(scatterAddRows(idsSaved.dataSync() as Int32Array, g.dataSync() as Float32Array, vocab, dim), [vocab, dim])];
      },
    };
  });
  return op(table) as tf.Tensor2D;
}
