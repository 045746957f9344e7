// A copy of a short string that does not keep its source alive. V8 makes `text.slice(a, b)`
// (13 characters or more) a view into `text`, so an identifier kept from a 1 MB file keeps the
// whole file in memory. Anything gathering stores beyond the file it came from (cache keys,
// exclusion details) goes through this.

export function ownCopy(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}
