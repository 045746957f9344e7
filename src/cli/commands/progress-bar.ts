// A download's progress on the terminal: a redrawn bar on a TTY, a line every 10% otherwise
// (logs and CI stay readable).
import type { DownloadProgress } from "../../hub";

const mb = (n: number) => (n / 2 ** 20).toFixed(0);

function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function progressBar(out: NodeJS.WriteStream, label: string): { update: (p: DownloadProgress) => void; done: () => void } {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(p) {
      const share = p.totalBytes > 0 ? p.receivedBytes / p.totalBytes : 0;
      const text = `${label} ${mb(p.receivedBytes)}/${mb(p.totalBytes)} MB, ${(p.bytesPerSecond / 2 ** 20).toFixed(1)} MB/s, ${eta(p.secondsLeft)} left`;
      if (out.isTTY) {
        const width = 24;
        const full = Math.round(share * width);
        out.write(`\r[${"#".repeat(full)}${"-".repeat(width - full)}] ${(share * 100).toFixed(0).padStart(3)}% ${text}\u001b[K`);
        drawn = true;
      } else if (Math.floor(share * 10) > lastTenth) {
        lastTenth = Math.floor(share * 10);
        out.write(`${(share * 100).toFixed(0)}% ${text}\n`);
      }
    },
    done() {
      if (drawn) out.write("\n");
      drawn = false;
    },
  };
}
