export { indentOf, placeLines, type CompletionMode, type CompletionPlace, type PlaceLines } from "../place";
export { DEFAULT_STEPS, postprocess, type PostprocessResult, type PostprocessStep } from "./pipeline";
export { cutAtBlockEnd, cutAtLineEnd, reachedEnd } from "./stop-rules";
export { noRepeatOfLineAbove, stopAtNextLine, trimSuffixOverlap } from "./repetition";
export { dropEmpty, trimTrailingWhitespace } from "./whitespace";
