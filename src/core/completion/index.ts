// The completion context, one for the editor, `repotune complete`, evaluation and benchmarks:
// where the cursor is and which mode fits it, what of the file the model sees (FIM layout and
// budgets), when generation stops and how its text is cleaned up before anyone sees it.
export { indentOf, placeLines, type CompletionMode, type CompletionPlace, type PlaceLines } from "./place";
export { DEFAULT_STEPS, postprocess, type PostprocessResult, type PostprocessStep } from "./postprocess";
export { cutAtBlockEnd, cutAtLineEnd, reachedEnd } from "./stop-rules";
export { dropDegenerate, noRepeatOfLineAbove, stopAtNextLine, trimSuffixOverlap } from "./repetition";
export { dropEmpty, trimTrailingWhitespace } from "./whitespace";
export { complete, type Completion, type CompleteOptions, type GenerateRequest, type Generator } from "./complete";
export { chooseMode, completionContext, DEFAULT_COMPLETION_SETTINGS, MAX_CHARS_PER_TOKEN, offsetAt, worthCompleting, type CompletionBudget, type CompletionContext, type CompletionSettings, type ModeSetting } from "./context";
export { buildFimPrompt, formatFimPrompt, parseFimPrompt, type FimBudget, type FimTokens, type ParsedFimPrompt } from "./fim-prompt";
export { DEFAULT_EXTRA_CONTEXT_TOKENS, encodeRepoHeader, formatRepoHeader, parseRepoHeader, repoNameOf, type RepoContext, type RepoFile, type RepoTokens } from "./repo-prompt";
export { chunkAround, DEFAULT_CHUNK_LINES, DEFAULT_RECENT_FILES, RecentPlaces, type RecentPlace } from "./recent-chunks";
