// src/hub: base models already on this machine (read-only) and downloading one when asked.
export { huggingFaceCache, modelLocations, repotuneModelsFolder, type LocationOptions, type ModelLocation, type ModelSourceKind } from "./model-locations";
export { describeModel, inspectModel, defaultModelName, type FoundModel, type Inspection } from "./describe-model";
export { findModels, compareModels } from "./find-models";
export { CATALOG, catalogModel, catalogPath, formatBytes, type CatalogModel } from "./catalog";
export { DEFAULT_HUB_ENDPOINT, hubEndpoint, hubToken } from "./hub-endpoint";
export { downloadModel, FREE_SPACE_MARGIN, type DownloadOptions, type DownloadResult, type DownloadSidecar } from "./download";
export { DownloadError, type DownloadErrorKind } from "./download-error";
export type { DownloadProgress } from "./progress";
export { resolveBase, type ResolveOptions, type ResolvedBase } from "./resolve-base";
