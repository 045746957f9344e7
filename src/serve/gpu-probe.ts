// Whether asking node-llama-cpp for a GPU is worth it. Its gpu: "auto" loads each prebuilt GPU
// binding in turn to test it; on a machine with CUDA libraries but no GPU driver (common on
// CI and servers) that took 6 s here before falling back to the CPU, on every server start.
// A GPU that llama.cpp can use leaves traces we can see in microseconds: a driver node or a
// Vulkan driver manifest. Software Vulkan (lavapipe) does not count.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const VULKAN_ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];

function hasHardwareVulkanIcd(): boolean {
  for (const dir of VULKAN_ICD_DIRS) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    if (names.some((n) => n.endsWith(".json") && !/lvp|lavapipe|swiftshader/i.test(n))) return true;
  }
  return false;
}

export function likelyHasGpu(platform: NodeJS.Platform = process.platform): boolean {
  if (platform === "darwin") return true; // Metal, built into the macOS binary
  if (platform === "win32") {
    const system32 = join(process.env.SystemRoot ?? "C:\\Windows", "System32");
    return existsSync(join(system32, "nvcuda.dll")) || existsSync(join(system32, "vulkan-1.dll"));
  }
  if (platform === "linux") {
    return existsSync("/proc/driver/nvidia/version") || existsSync("/dev/nvidia0") || existsSync("/dev/dxg") || hasHardwareVulkanIcd();
  }
  return false;
}
