export { LoraAdapters, type LoraPair } from "./adapters";
export { attachLora, detachLora } from "./attach";
export {
  adapterConfigJson,
  DEFAULT_TARGET_MODULES,
  loraScaling,
  moduleOf,
  parseAdapterConfig,
  peftKey,
  validateLoraConfig,
  type LoraConfig,
} from "../../core/formats/lora-config";
export { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, adapterFactors, adapterFiles, loadAdapterWeights, readAdapterConfig, saveAdapter } from "./io";
export { mergedWeight, mergedWeights, mergeInto, type HostWeight } from "./merge";
