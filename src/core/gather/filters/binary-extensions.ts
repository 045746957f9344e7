// Extensions that are binary whatever their contents: excluded as binary without being read
// (reading a 900 KB PNG to find its NUL byte is wasted time).
import type { PathParts } from "./path-parts";

const BINARY_EXTENSIONS = new Set(
  (
    ".png .jpg .jpeg .gif .bmp .ico .icns .webp .avif .tif .tiff .psd .heic " +
    ".mp3 .wav .ogg .flac .m4a .aac .mp4 .m4v .mov .avi .mkv .webm " +
    ".ttf .otf .woff .woff2 .eot " +
    ".zip .gz .tgz .bz2 .xz .zst .7z .rar .tar .jar .war .ear .whl .egg .nupkg .vsix .apk .aab .ipa .dmg .iso .deb .rpm " +
    ".exe .dll .so .dylib .a .lib .o .obj .pdb .class .pyc .pyo .wasm .node .bin .dat .db .sqlite .sqlite3 .mdb " +
    ".pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods " +
    ".onnx .pt .pth .ckpt .safetensors .gguf .npy .npz .h5 .hdf5 .pb .tflite .parquet .arrow .feather .pkl .pickle"
  ).split(/\s+/),
);

export function binaryExtensionRule(parts: PathParts): string | null {
  return BINARY_EXTENSIONS.has(parts.extension) ? `${parts.extension} file` : null;
}
