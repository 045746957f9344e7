// The fill-in-the-middle prompt in Qwen2.5-Coder's PSM order, as token ids:
//   <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|>
// built from the model's own FIM ids (GGUF tokenizer.ggml.fim_*), so the specials are single
// control tokens and never text. The prompt is cut to fit the context: the prefix keeps its
// end, the suffix its start (the text nearest the cursor matters most).

export interface FimTokens {
  prefix: number;
  suffix: number;
  middle: number;
}

export interface FimBudget {
  /** Most tokens the prompt may have. */
  maxPromptTokens: number;
  /** Share of the budget the suffix may take when both sides are long. */
  suffixShare: number;
}

export function buildFimPrompt(prefixTokens: readonly number[], suffixTokens: readonly number[], fim: FimTokens, budget: FimBudget): number[] {
  const room = Math.max(0, budget.maxPromptTokens - 3);
  let suffixRoom = Math.min(suffixTokens.length, Math.floor(room * budget.suffixShare));
  const prefixRoom = Math.min(prefixTokens.length, room - suffixRoom);
  suffixRoom = Math.min(suffixTokens.length, room - prefixRoom); // a short prefix leaves room to the suffix
  return [
    fim.prefix,
    ...prefixTokens.slice(prefixTokens.length - prefixRoom),
    fim.suffix,
    ...suffixTokens.slice(0, suffixRoom),
    fim.middle,
  ];
}
