// Which Hugging Face server to download from, and the token to send it. The setting wins over
// HF_ENDPOINT (as huggingface_hub reads it) so a workspace can pin a mirror; the token is read
// where huggingface_hub reads it and is never logged or put in an error message.

export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

/** The endpoint base URL without trailing slashes; throws when it is not an http(s) URL. */
export function hubEndpoint(setting?: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromSetting = setting?.trim();
  const fromEnv = env.HF_ENDPOINT?.trim();
  const [raw, where] = fromSetting ? [fromSetting, "repotune.hub.endpoint"] : fromEnv ? [fromEnv, "HF_ENDPOINT"] : [DEFAULT_HUB_ENDPOINT, "the default"];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${where} is ${JSON.stringify(raw)}, which is not a URL: set it to the hub's address, e.g. ${DEFAULT_HUB_ENDPOINT} or a mirror's https://... address`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${where} is ${JSON.stringify(raw)}: only http:// and https:// endpoints are supported, e.g. ${DEFAULT_HUB_ENDPOINT}`);
  }
  return raw.replace(/\/+$/, "");
}

/** HF_TOKEN, else the older HUGGING_FACE_HUB_TOKEN; undefined when neither is set. */
export function hubToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim();
  return token ? token : undefined;
}
