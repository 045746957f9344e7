// Our own safetensors reader and writer (Hugging Face's tensor file format): model weights,
// optimizer state and LoRA adapters are stored in it. See safetensors-common.ts for the format.
export { DTYPE_SIZES, SafetensorsError, type SafetensorsDtype } from "./safetensors-common";
export { readSafetensors, SafetensorsFile, type FloatTensor, type TensorInfo } from "./safetensors-reader";
export { serializeSafetensors, writeSafetensors, type TensorToWrite, type WritableDtype } from "./safetensors-writer";
