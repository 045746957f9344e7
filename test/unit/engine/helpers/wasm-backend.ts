// Tests of the engine run on the wasm backend: it is what CI and users run, and it has gaps
// (no UnsortedSegmentSum...) that the cpu backend would hide.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";

let ready: Promise<void> | undefined;

export function useWasmBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set("PROD", true);
    if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
    await tf.ready();
  })();
  return ready;
}
