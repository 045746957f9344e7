// Faster Slice, Unpack, SplitV and Identity for the wasm backend. tfjs-backend-wasm 4.22's Slice reads
// its input with backend.readSync, which copies the *whole* input out of the wasm heap before
// taking the slice: unstacking a [32, 512, 64] tensor into 32 pieces copied it 32 times, and
// the attention's per-head split spent more time there than in its matMuls (measured: 7.9 s
// of a 24 s step of bench config A). These versions read the heap through a view and copy
// only the slice. Identity (what tf.clone runs, and so what every tensor saved for a
// gradient costs) copied the data; tensors are immutable, so it now shares it by reference
// count, as the cpu backend does. Same semantics, same outputs; string tensors go to the
// original kernels.
import * as tf from "@tensorflow/tfjs-core";

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

/** The parts of BackendWasm these kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  incRef(dataId: object): void;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface SliceArgs {
  inputs: { x: TensorInfo };
  attrs: { begin: number | number[]; size?: number | number[] };
  backend: WasmBackendLike;
}

function sliceInto(x: TensorInfo, begin: number[], size: number[], backend: WasmBackendLike): TensorInfo {
  // makeOutput may grow the heap, which detaches earlier views: take them after it.
  const out = backend.makeOutput(size, x.dtype);
  const n = size.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  const xVals = backend.typedArrayFromHeap(x);
  const outVals = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    outVals.set(xVals.subarray(offset, offset + n));
    return out;
  }
  // Strided: copy runs along the last axis, walking the outer axes like an odometer.
  const rank = x.shape.length;
  const inner = size[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  let outOffset = 0;
  for (;;) {
    let inOffset = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) inOffset += (begin[d]! + index[d]!) * strides[d]!;
    outVals.set(xVals.subarray(inOffset, inOffset + inner), outOffset);
    outOffset += inner;
    let d = rank - 2;
    while (d >= 0) {
      index[d]!++;
      if (index[d]! < size[d]!) break;
      index[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}

let patched = false;

/** Replaces the wasm backend's Slice, Unpack, SplitV and Identity (once; a no-op after). */
export function patchWasmKernels(): void {
  if (patched) return;
  const original = {
    slice: tf.getKernel("Slice", "wasm"),
    unpack: tf.getKernel("Unpack", "wasm"),
    splitV: tf.getKernel("SplitV", "wasm"),
    identity: tf.getKernel("Identity", "wasm"),
  };
  // Only once the wasm backend's own kernels are registered (importing it registers them).
  if (!original.slice || !original.unpack || !original.splitV || !original.identity) return;
  patched = true;

  const slice = (args: SliceArgs): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype === "string") return original.slice!.kernelFunc(args as never) as TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(x as never, args.attrs.begin, args.attrs.size);
    return sliceInto(x, begin!, size!, args.backend);
  };

  const unpack = (args: { inputs: { value: TensorInfo }; attrs: { axis: number }; backend: WasmBackendLike }): TensorInfo[] => {
    const { value } = args.inputs;
    if (value.dtype === "string") return original.unpack!.kernelFunc(args as never) as TensorInfo[];
    const rank = value.shape.length;
    const axis = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]!; i++) {
      begin[axis] = i;
      const o = sliceInto(value, begin, size, args.backend);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  };

  const splitV = (args: { inputs: { x: TensorInfo }; attrs: { numOrSizeSplits: number | number[]; axis: number }; backend: WasmBackendLike }): TensorInfo[] => {
    const { x } = args.inputs;
    if (x.dtype === "string") return original.splitV!.kernelFunc(args as never) as TensorInfo[];
    const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as never, args.attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const o = sliceInto(x, begin, size, args.backend);
      begin[axis]! += s;
      return o;
    });
  };

  const identity = (args: { inputs: { x: TensorInfo }; backend: WasmBackendLike }): TensorInfo => {
    const { x } = args.inputs;
    if (x.dtype === "string") return original.identity!.kernelFunc(args as never) as TensorInfo;
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

  for (const [name, fn] of [["Slice", slice], ["Unpack", unpack], ["SplitV", splitV], ["Identity", identity]] as const) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: fn as unknown as tf.KernelFunc });
  }
}
