// A typed front for tf.customGrad: its published type lumps the inputs and the save
// callback into one rest parameter. Ops here take their inputs as an array, save what the
// backward pass needs, and return one gradient per input.
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients (the @tensorflow/tfjs umbrella, which we do not
// use, imports this): the engine's autodiff through add, reshape, transpose... needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

export interface OpResult {
  value: tf.Tensor;
  /** One gradient per input, in order. Runs inside the engine's backward tidy. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

export function customOp(f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => OpResult): (...inputs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const r = f(args.slice(0, -1) as tf.Tensor[], save);
    return { value: r.value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => r.gradFunc(dy, saved) };
  }) as (...args: Array<tf.Tensor | tf.GradSaveFunc>) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] });
  return (...inputs: tf.Tensor[]) => op(...inputs);
}
