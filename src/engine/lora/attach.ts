// Puts adapters on a Qwen2 model: freezes every base parameter (only A and B train) and
// installs the adapters as the model's projection hook.
import type { Qwen2Model } from "../model/qwen2";
import { LoraAdapters } from "./adapters";
import type { LoraConfig } from "../../core/formats/lora-config";

export function attachLora(model: Qwen2Model, config: LoraConfig, options: { seed?: number } = {}): LoraAdapters {
  if (model.adapter) throw new Error("LoRA: the model already has adapters attached");
  const adapters = new LoraAdapters(model.params, config, options);
  model.setTrainable(() => false);
  model.adapter = adapters;
  return adapters;
}

/** Removes the hook (after mergeInto, or to get the base back); the base stays frozen. */
export function detachLora(model: Qwen2Model): void {
  model.adapter = undefined;
}
